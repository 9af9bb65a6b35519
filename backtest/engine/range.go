package main

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/prometheus/common/promslog"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/timestamp"
	"github.com/prometheus/prometheus/model/value"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/rules"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb"
)

// The range mode gives the same evaluations as the rule manager's loop at a fraction of the
// cost: each rule's expression is evaluated by the promql engine as ONE range query per chunk
// (a range query's step is, by the engine's contract, the instant query at that time), and
// Prometheus' own RecordingRule.Eval and AlertingRule.Eval then run at every evaluation time
// with a QueryFunc that hands them that step's vector. Recording rules' samples (and the stale
// markers Group.Eval writes when a series goes away) land in storage before the next rule's
// range query reads them, so rules are processed in the rule file's order, a chunk at a time.

// chunkSteps evaluations per range query: a day at 30 s.
const chunkSteps = 2880

// rangeModeRefusal says why a rule file needs the rule manager's loop, or "" when it does not:
// a rule reading ALERTS (the range mode does not write it), a recording rule that a rule at or
// before its own position reads (the loop would read its previous evaluation) or that a group
// with a shorter query_offset reads (the loop would not have written it yet), a selector whose
// metric name is a pattern (it may read either), or an `@ start()`/`@ end()` modifier (the
// range's ends, not the evaluation time, in a range query).
func rangeModeRefusal(groups []*rules.Group) string {
	type writer struct {
		position int
		offset   time.Duration
	}
	produced := map[string]writer{}
	position := 0
	for _, g := range groups {
		for _, r := range g.Rules() {
			if rr, ok := r.(*rules.RecordingRule); ok {
				if _, seen := produced[rr.Name()]; !seen {
					produced[rr.Name()] = writer{position, g.QueryOffset()}
				}
			}
			position++
		}
	}
	position = 0
	for _, g := range groups {
		for _, r := range g.Rules() {
			if pinsToRange(r.Query()) {
				return fmt.Sprintf("rule %s uses @ start() or @ end()", r.Name())
			}
			for _, vs := range selectors(r.Query()) {
				name, ok := metricNameOf(vs)
				if !ok {
					return fmt.Sprintf("rule %s reads %s, whose metric name is not fixed", r.Name(), vs)
				}
				if name == "ALERTS" || name == "ALERTS_FOR_STATE" {
					return fmt.Sprintf("rule %s reads %s", r.Name(), name)
				}
				if w, ok := produced[name]; ok && w.position >= position {
					return fmt.Sprintf("rule %s reads %s, recorded at or after it", r.Name(), name)
				}
				if w, ok := produced[name]; ok && g.QueryOffset() < w.offset {
					return fmt.Sprintf("rule %s reads %s, recorded with a longer query_offset", r.Name(), name)
				}
			}
			position++
		}
	}
	return ""
}

func pinsToRange(expr parser.Expr) bool {
	pinned := false
	parser.Inspect(expr, func(n parser.Node, _ []parser.Node) error {
		switch e := n.(type) {
		case *parser.VectorSelector:
			pinned = pinned || e.StartOrEnd != 0
		case *parser.SubqueryExpr:
			pinned = pinned || e.StartOrEnd != 0
		}
		return nil
	})
	return pinned
}

func selectors(expr parser.Expr) []*parser.VectorSelector {
	var found []*parser.VectorSelector
	parser.Inspect(expr, func(n parser.Node, _ []parser.Node) error {
		if vs, ok := n.(*parser.VectorSelector); ok {
			found = append(found, vs)
		}
		return nil
	})
	return found
}

// rangeReplay is the range mode's state: the recorded blocks and one scratch TSDB per
// recording rule (each is appended in time order, as the head demands).
type rangeReplay struct {
	engine    *promql.Engine
	queryable storage.Queryable
	written   map[rules.Rule]*tsdb.DB
	previous  map[rules.Rule]map[uint64]labels.Labels
	tracked   map[rules.Rule]*tracked
	interval  time.Duration
}

func newRangeReplay(engine *promql.Engine, blocks []*tsdb.Block, groups []*rules.Group, scratch string, t *tracker, interval time.Duration) (*rangeReplay, error) {
	rr := &rangeReplay{
		engine: engine, written: map[rules.Rule]*tsdb.DB{}, interval: interval,
		previous: map[rules.Rule]map[uint64]labels.Labels{}, tracked: map[rules.Rule]*tracked{},
	}
	var dbs []*tsdb.DB
	for _, g := range groups {
		for _, r := range g.Rules() {
			if _, ok := r.(*rules.RecordingRule); !ok {
				continue
			}
			db, err := tsdb.Open(filepath.Join(scratch, fmt.Sprintf("rule-%d", len(dbs))), promslog.NewNopLogger(), nil, scratchOptions(), nil)
			if err != nil {
				return nil, err
			}
			db.DisableCompactions()
			rr.written[r] = db
			dbs = append(dbs, db)
		}
	}
	for _, tr := range t.rules {
		rr.tracked[tr.rule] = tr
	}
	rr.queryable = recordedQueryable(blocks, dbs...)
	return rr, nil
}

func (rr *rangeReplay) close() {
	for _, db := range rr.written {
		db.Close()
	}
}

// stepVectors evaluates expr as one range query and splits the result into each step's vector.
func (rr *rangeReplay) stepVectors(ctx context.Context, expr string, from, to time.Time) (map[int64]promql.Vector, error) {
	q, err := rr.engine.NewRangeQuery(ctx, rr.queryable, nil, expr, from, to, rr.interval)
	if err != nil {
		return nil, err
	}
	defer q.Close()
	res := q.Exec(ctx)
	if res.Err != nil {
		return nil, res.Err
	}
	matrix, err := res.Matrix()
	if err != nil {
		return nil, err
	}
	out := map[int64]promql.Vector{}
	for _, s := range matrix {
		for _, p := range s.Floats {
			out[p.T] = append(out[p.T], promql.Sample{Metric: s.Metric, T: p.T, F: p.F})
		}
		for _, p := range s.Histograms {
			out[p.T] = append(out[p.T], promql.Sample{Metric: s.Metric, T: p.T, H: p.H})
		}
	}
	return out, nil
}

// queryFunc serves the rule's own expression from the range query; anything else (a label
// template's `query`) goes to the engine as an instant query, as the rule manager would.
func (rr *rangeReplay) queryFunc(expr string, steps map[int64]promql.Vector) rules.QueryFunc {
	instant := rules.EngineQueryFunc(rr.engine, rr.queryable)
	return func(ctx context.Context, q string, t time.Time) (promql.Vector, error) {
		if q != expr {
			return instant(ctx, q, t)
		}
		return steps[timestamp.FromTime(t)], nil
	}
}

// chunk evaluates every rule at every evaluation time of [from, to], in the rule file's order.
func (rr *rangeReplay) chunk(ctx context.Context, groups []*rules.Group, from, to time.Time) error {
	for _, g := range groups {
		offset := g.QueryOffset()
		for _, r := range g.Rules() {
			expr := r.Query().String()
			steps, err := rr.stepVectors(ctx, expr, from.Add(-offset), to.Add(-offset))
			if err != nil {
				return fmt.Errorf("rule %s from %s: %w", r.Name(), from.Format(time.RFC3339), err)
			}
			query := rr.queryFunc(expr, steps)
			for ts := from; !ts.After(to); ts = ts.Add(rr.interval) {
				vector, err := r.Eval(ctx, offset, ts, query, nil, g.Limit())
				if err != nil {
					return fmt.Errorf("rule %s at %s: %w", r.Name(), ts.Format(time.RFC3339), err)
				}
				if err := rr.after(r, ts, offset, vector); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// after does what Group.Eval does with a rule's result: a recording rule's samples are
// appended, with stale markers for the series it no longer returns; an alert's state is noted.
func (rr *rangeReplay) after(r rules.Rule, ts time.Time, offset time.Duration, vector promql.Vector) error {
	if tr, ok := rr.tracked[r]; ok {
		tr.observe(ts)
		return nil
	}
	db := rr.written[r]
	app := db.Appender(context.Background())
	returned := make(map[uint64]labels.Labels, len(vector))
	for _, s := range vector {
		var err error
		if s.H != nil {
			_, err = app.AppendHistogram(0, s.Metric, s.T, nil, s.H)
		} else {
			_, err = app.Append(0, s.Metric, s.T, s.F)
		}
		if err != nil {
			return fmt.Errorf("rule %s at %s: %w", r.Name(), ts.Format(time.RFC3339), err)
		}
		returned[s.Metric.Hash()] = s.Metric
	}
	for hash, lset := range rr.previous[r] {
		if _, ok := returned[hash]; !ok {
			stale := math.Float64frombits(value.StaleNaN)
			if _, err := app.Append(0, lset, timestamp.FromTime(ts.Add(-offset)), stale); err != nil {
				return err
			}
		}
	}
	rr.previous[r] = returned
	return app.Commit()
}

// replayRange runs the range mode over the window; the tracker sees every evaluation.
func replayRange(engine *promql.Engine, blocks []*tsdb.Block, groups []*rules.Group, t *tracker, w evalWindow) (int, error) {
	scratch, err := os.MkdirTemp("", "port8000-backtest-range-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(scratch)
	rr, err := newRangeReplay(engine, blocks, groups, scratch, t, w.interval)
	if err != nil {
		return 0, err
	}
	defer rr.close()
	evaluations := 0
	last := w.warm
	for !last.Add(w.interval).After(w.end) {
		last = last.Add(w.interval)
	}
	for from := w.warm; !from.After(last); {
		to := from.Add(time.Duration(chunkSteps-1) * w.interval)
		if to.After(last) {
			to = last
		}
		if err := rr.chunk(context.Background(), groups, from, to); err != nil {
			return 0, err
		}
		evaluations += int(to.Sub(from)/w.interval) + 1
		from = to.Add(w.interval)
	}
	return evaluations, nil
}

// scratchOptions: a replay's scratch storage has nothing to recover, so no write-ahead log
// (and the caller disables compactions: the head holds the replay's few samples in memory).
func scratchOptions() *tsdb.Options {
	opts := tsdb.DefaultOptions()
	opts.WALSegmentSize = -1
	return opts
}
