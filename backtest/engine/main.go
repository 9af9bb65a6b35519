// Command port8000-backtest replays a Prometheus rule file over recorded TSDB blocks with
// Prometheus' own rule manager and query engine (the packages the deployed Prometheus runs), one
// group evaluation per interval, and prints every firing episode of every alerting rule as JSON.
// By default it evaluates each rule's expression as range queries (range.go), which gives the
// same evaluations; --mode=manager runs the rule manager's Group.Eval at every time instead.
//
// `promtool tsdb create-blocks-from rules` cannot do this: it evaluates an alerting rule's
// expression as if it were a recording rule, so `for:` and `keep_firing_for:` are lost.
// `promtool test rules` runs the same loop as this command, over hand-written input series.
//
//	port8000-backtest replay --data DIR --rules FILE --start UNIX --end UNIX [--interval 10s] [--mode range|manager]
//	port8000-backtest ingest --out DIR < STREAM
//	port8000-backtest selectors --rules FILE
//	port8000-backtest lookback --rules FILE
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/prometheus/common/promslog"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/rules"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb"
)

type episode struct {
	Labels map[string]string `json:"labels"`
	Start  int64             `json:"start"`
	End    int64             `json:"end"`
}

type ruleResult struct {
	Group    string            `json:"group"`
	Index    int               `json:"index"`
	Alert    string            `json:"alert"`
	Labels   map[string]string `json:"labels"`
	Episodes []episode         `json:"episodes"`
}

type report struct {
	Mode        string       `json:"mode"`
	Evaluations int          `json:"evaluations"`
	Rules       []ruleResult `json:"rules"`
}

// gcPercent replaces Go's default of 100 unless GOGC is set: a replay is a short batch whose live
// heap is a few tens of MB, so at 100 the collector ran every few MB allocated (8 % of the rule
// manager mode's CPU); at 400 it runs a quarter as often for twice the memory.
const gcPercent = 400

// memoryLimit caps what gcPercent lets the heap grow to, unless GOMEMLIMIT is set: near it the
// collector runs as often as it must, so a replay of weeks keeps its heap under it. Two replays
// run at once on runners with 7 GiB.
const memoryLimit = 2 << 30

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
	if len(os.Args) < 2 {
		fail(2, "usage: port8000-backtest replay|ingest|selectors|lookback [flags]")
	}
	var err error
	switch os.Args[1] {
	case "replay":
		err = replayCommand(os.Args[2:])
	case "ingest":
		err = ingestCommand(os.Args[2:])
	case "selectors":
		err = selectorsCommand(os.Args[2:])
	case "lookback":
		err = lookbackCommand(os.Args[2:])
	default:
		fail(2, "unknown command "+os.Args[1])
	}
	if err != nil {
		fail(1, err.Error())
	}
}

func fail(code int, message string) {
	fmt.Fprintln(os.Stderr, "port8000-backtest:", message)
	os.Exit(code)
}

func replayCommand(args []string) error {
	fs := flag.NewFlagSet("replay", flag.ExitOnError)
	data := fs.String("data", "", "directory of recorded TSDB blocks")
	ruleFile := fs.String("rules", "", "Prometheus rule file")
	start := fs.Int64("start", 0, "first evaluation, unix seconds")
	end := fs.Int64("end", 0, "last evaluation, unix seconds")
	interval := fs.Duration("interval", 10*time.Second, "evaluation interval")
	order := fs.String("group-order", "", "comma-separated group names, in the rule file's order")
	mode := fs.String("mode", modeRange, "range: range queries per chunk; manager: Group.Eval at every time")
	_ = fs.Parse(args)
	if *data == "" || *ruleFile == "" || *end <= *start {
		return errors.New("replay needs --data, --rules and --start < --end")
	}
	if *mode != modeRange && *mode != modeManager {
		return fmt.Errorf("--mode %q: range or manager", *mode)
	}
	window := evalWindow{start: time.Unix(*start, 0).UTC(), end: time.Unix(*end, 0).UTC(), interval: *interval}
	out, err := replay(*data, *ruleFile, strings.Split(*order, ","), window, *mode)
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(out)
}

// recordedQueryable serves the recorded blocks and the samples the recording rules write.
func recordedQueryable(blocks []*tsdb.Block, written ...*tsdb.DB) storage.Queryable {
	return storage.QueryableFunc(func(mint, maxt int64) (storage.Querier, error) {
		queriers := make([]storage.Querier, 0, len(blocks)+1)
		for _, b := range blocks {
			q, err := tsdb.NewBlockQuerier(b, mint, maxt)
			if err != nil {
				return nil, err
			}
			queriers = append(queriers, q)
		}
		for _, db := range written {
			q, err := db.Querier(mint, maxt)
			if err != nil {
				return nil, err
			}
			queriers = append(queriers, q)
		}
		return storage.NewMergeQuerier(queriers, nil, storage.ChainedSeriesMerge), nil
	})
}

func openBlocks(dir string) ([]*tsdb.Block, error) {
	metas, err := filepath.Glob(filepath.Join(dir, "*", "meta.json"))
	if err != nil {
		return nil, err
	}
	if len(metas) == 0 {
		return nil, fmt.Errorf("no TSDB blocks in %s", dir)
	}
	blocks := make([]*tsdb.Block, 0, len(metas))
	for _, meta := range metas {
		b, err := tsdb.OpenBlock(promslog.NewNopLogger(), filepath.Dir(meta), nil, tsdb.DefaultPostingsDecoderFactory)
		if err != nil {
			return nil, err
		}
		blocks = append(blocks, b)
	}
	return blocks, nil
}

// evalWindow is the reported window [start, end]; evaluation starts earlier, at warm, so that
// the windows the rules read are full at start (lookback.go).
type evalWindow struct {
	start, end, warm time.Time
	interval         time.Duration
}

// warmFrom is the first evaluation: the rules' lookback before the window, but not before the
// first recorded sample (evaluations over no data at all would only find absent() true).
func warmFrom(w evalWindow, groups []*rules.Group, blocks []*tsdb.Block) time.Time {
	warm := w.start.Add(-lookback(groupReads(groups)))
	first := blocks[0].MinTime()
	for _, b := range blocks {
		first = min(first, b.MinTime())
	}
	if recorded := time.UnixMilli(first).UTC(); warm.Before(recorded) {
		warm = recorded
	}
	if warm.After(w.start) {
		warm = w.start
	}
	return warm.Truncate(w.interval)
}

const (
	modeRange   = "range"
	modeManager = "manager"
)

func replay(dataDir, ruleFile string, order []string, w evalWindow, mode string) (*report, error) {
	blocks, err := openBlocks(dataDir)
	if err != nil {
		return nil, err
	}
	scratch, err := os.MkdirTemp("", "port8000-backtest-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(scratch)
	written, err := tsdb.Open(scratch, promslog.NewNopLogger(), nil, scratchOptions(), nil)
	if err != nil {
		return nil, err
	}
	written.DisableCompactions()
	defer written.Close()

	queryable := recordedQueryable(blocks, written)
	// As the Prometheus server and promtool set them: `@` and negative offsets are on.
	engine := promql.NewEngine(promql.EngineOpts{
		Logger: promslog.NewNopLogger(), MaxSamples: 50_000_000, Timeout: 2 * time.Minute,
		EnableAtModifier: true, EnableNegativeOffset: true,
	})
	manager := rules.NewManager(&rules.ManagerOptions{
		QueryFunc:  rules.EngineQueryFunc(engine, queryable),
		Appendable: written,
		Queryable:  queryable,
		Context:    context.Background(),
		NotifyFunc: func(context.Context, string, ...*rules.Alert) {},
		Logger:     promslog.NewNopLogger(),
	})
	groupMap, errs := manager.LoadGroups(w.interval, labels.EmptyLabels(), "", nil, false, ruleFile)
	if errs != nil {
		return nil, errors.Join(errs...)
	}
	groups := orderedGroups(groupMap, order)
	w.warm = warmFrom(w, groups, blocks)
	tracker := newTracker(groups)
	if mode == modeRange {
		if why := rangeModeRefusal(groups); why != "" {
			fmt.Fprintf(os.Stderr, "port8000-backtest: the rule manager's loop replays this file: %s\n", why)
			mode = modeManager
		}
	}
	evaluations := 0
	if mode == modeRange {
		evaluations, err = replayRange(engine, blocks, groups, tracker, w)
	} else {
		evaluations, err = replayManager(groups, tracker, w)
	}
	if err != nil {
		return nil, err
	}
	tracker.closeAll(w.end.Truncate(w.interval).Add(w.interval))
	tracker.clip(w.start.Truncate(w.interval))
	return &report{Mode: mode, Evaluations: evaluations, Rules: tracker.results()}, nil
}

// replayManager calls Group.Eval at every evaluation time, in the rule file's group order.
func replayManager(groups []*rules.Group, tracker *tracker, w evalWindow) (int, error) {
	evaluations := 0
	for ts := w.warm; !ts.After(w.end); ts = ts.Add(w.interval) {
		for _, g := range groups {
			g.Eval(context.Background(), ts)
			for _, r := range g.Rules() {
				if r.LastError() != nil {
					return 0, fmt.Errorf("rule %s at %s: %w", r.Name(), ts.Format(time.RFC3339), r.LastError())
				}
			}
		}
		tracker.observe(ts)
		evaluations++
	}
	return evaluations, nil
}

// orderedGroups evaluates the groups in the rule file's order (as promtool test rules does), so
// a recording rule's sample is there for the alerts of later groups at the same timestamp.
func orderedGroups(groupMap map[string]*rules.Group, order []string) []*rules.Group {
	position := map[string]int{}
	for i, name := range order {
		position[name] = i
	}
	groups := make([]*rules.Group, 0, len(groupMap))
	for _, g := range groupMap {
		groups = append(groups, g)
	}
	sort.Slice(groups, func(i, j int) bool {
		pi, pj := position[groups[i].Name()], position[groups[j].Name()]
		if pi != pj {
			return pi < pj
		}
		return groups[i].Name() < groups[j].Name()
	})
	return groups
}
