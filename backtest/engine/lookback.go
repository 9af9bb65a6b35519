package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/common/promslog"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/rules"
)

// The warm-up a replay needs: at the window's first evaluation every range window, offset
// and subquery a rule reads must already be full, as they are in production, and so must the
// windows of the recording rules it reads (whose samples the replay itself writes), and the
// `for:` and `keep_firing_for:` that carry an alert's state into the window.

// lookbackDelta is the promql engine's default: an instant selector reads the last 5 minutes.
const lookbackDelta = 5 * time.Minute

// ruleReads is what a rule's lookback depends on.
type ruleReads struct {
	record string
	expr   parser.Expr
	// hold is an alert's for: plus keep_firing_for:, and its group's query_offset.
	hold time.Duration
}

// metricNameOf is the metric a selector reads: its __name__ equality matcher's value (both
// `x{…}` and `{__name__="x"}` carry one); ok is false for a selector that may read any name
// (a regular-expression or not-equal __name__ matcher, or none).
func metricNameOf(vs *parser.VectorSelector) (string, bool) {
	for _, m := range vs.LabelMatchers {
		if m.Name == labels.MetricName && m.Type == labels.MatchEqual {
			return m.Value, true
		}
	}
	return "", false
}

// selectorLookback is how far before an evaluation one selector reads: its offset, its range
// (or the lookback delta of an instant selector) and the range and offset of every subquery
// around it.
func selectorLookback(vs *parser.VectorSelector, path []parser.Node) time.Duration {
	d := max(vs.OriginalOffset, 0)
	if len(path) > 0 {
		if ms, ok := path[len(path)-1].(*parser.MatrixSelector); ok {
			d += ms.Range
		} else {
			d += lookbackDelta
		}
	} else {
		d += lookbackDelta
	}
	for _, n := range path {
		if sq, ok := n.(*parser.SubqueryExpr); ok {
			d += sq.Range + max(sq.OriginalOffset, 0)
		}
	}
	return d
}

// lookback is the longest time before a window's first evaluation that the rules read, through
// the recording rules they read (whose own evaluations must then be warm).
func lookback(all []ruleReads) time.Duration {
	needs := map[string]time.Duration{}
	var longest time.Duration
	// A chain of recording rules is at most as long as the rule file: iterate to a fixed point.
	for pass := 0; pass <= len(all); pass++ {
		changed := false
		for _, r := range all {
			need := r.hold + exprLookback(r.expr, needs)
			longest = max(longest, need)
			if r.record != "" && need > needs[r.record] {
				needs[r.record] = need
				changed = true
			}
		}
		if !changed {
			break
		}
	}
	return longest
}

func exprLookback(expr parser.Expr, recorded map[string]time.Duration) time.Duration {
	var longest time.Duration
	parser.Inspect(expr, func(n parser.Node, path []parser.Node) error {
		if vs, ok := n.(*parser.VectorSelector); ok {
			name, _ := metricNameOf(vs)
			longest = max(longest, selectorLookback(vs, path)+recorded[name])
		}
		return nil
	})
	return longest
}

// groupReads is ruleReads of the rule manager's loaded groups.
func groupReads(groups []*rules.Group) []ruleReads {
	var all []ruleReads
	for _, g := range groups {
		for _, r := range g.Rules() {
			reads := ruleReads{expr: r.Query(), hold: g.QueryOffset()}
			switch rule := r.(type) {
			case *rules.RecordingRule:
				reads.record = rule.Name()
			case *rules.AlertingRule:
				reads.hold += rule.HoldDuration() + rule.KeepFiringFor()
			}
			all = append(all, reads)
		}
	}
	return all
}

// parseRuleFile reads a rule file with Prometheus' parser into ruleReads.
func parseRuleFile(ruleFile string) ([]ruleReads, error) {
	p := parser.NewParser(parser.Options{})
	groups, errs := rulefmt.ParseFile(ruleFile, false, model.UTF8Validation, p, promslog.NewNopLogger())
	if errs != nil {
		return nil, errors.Join(errs...)
	}
	var all []ruleReads
	for _, g := range groups.Groups {
		var offset time.Duration
		if g.QueryOffset != nil {
			offset = time.Duration(*g.QueryOffset)
		}
		for _, r := range g.Rules {
			expr, err := p.ParseExpr(r.Expr)
			if err != nil {
				return nil, err
			}
			hold := offset + time.Duration(r.For) + time.Duration(r.KeepFiringFor)
			all = append(all, ruleReads{record: r.Record, expr: expr, hold: hold})
		}
	}
	return all, nil
}

// lookbackCommand prints, in seconds, the data a replay of the rule file reads before its
// window: the recording to replay a window from T starts at T minus this.
func lookbackCommand(args []string) error {
	fs := flag.NewFlagSet("lookback", flag.ExitOnError)
	ruleFile := fs.String("rules", "", "Prometheus rule file")
	_ = fs.Parse(args)
	all, err := parseRuleFile(*ruleFile)
	if err != nil {
		return err
	}
	fmt.Fprintln(os.Stdout, int64(lookback(all).Seconds()))
	return nil
}
