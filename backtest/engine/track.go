package main

import (
	"flag"
	"fmt"
	"os"
	"sort"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/rules"
)

// tracked is one alerting rule and its label sets' open and closed firing episodes.
type tracked struct {
	group  string
	index  int
	rule   *rules.AlertingRule
	open   map[uint64]*episode
	closed []episode
}

type tracker struct{ rules []*tracked }

func newTracker(groups []*rules.Group) *tracker {
	t := &tracker{}
	for _, g := range groups {
		for i, r := range g.Rules() {
			ar, ok := r.(*rules.AlertingRule)
			if !ok {
				continue
			}
			// As promtool test rules does: a replay has no earlier state to restore.
			ar.SetRestored(true)
			t.rules = append(t.rules, &tracked{group: g.Name(), index: i, rule: ar, open: map[uint64]*episode{}})
		}
	}
	return t
}

// observe notes, after the evaluation at ts, which label sets fire.
func (t *tracker) observe(ts time.Time) {
	for _, tr := range t.rules {
		tr.observe(ts)
	}
}

// observe notes which label sets of the rule fire after its evaluation at ts; an episode
// starts at the first evaluation that finds it firing and ends at the first that does not.
func (tr *tracked) observe(ts time.Time) {
	firing := map[uint64]labels.Labels{}
	for _, a := range tr.rule.ActiveAlerts() {
		if a.State == rules.StateFiring {
			firing[a.Labels.Hash()] = a.Labels
		}
	}
	for hash, ep := range tr.open {
		if _, still := firing[hash]; !still {
			ep.End = ts.Unix()
			tr.closed = append(tr.closed, *ep)
			delete(tr.open, hash)
		}
	}
	for hash, lset := range firing {
		if _, known := tr.open[hash]; !known {
			tr.open[hash] = &episode{Labels: lset.Map(), Start: ts.Unix()}
		}
	}
}

// closeAll ends the episodes still firing when the replay window ends.
func (t *tracker) closeAll(end time.Time) {
	for _, tr := range t.rules {
		for hash, ep := range tr.open {
			ep.End = end.Unix()
			tr.closed = append(tr.closed, *ep)
			delete(tr.open, hash)
		}
	}
}

// clip leaves out what fired before the window (during the warm-up): an episode that ended by
// its start is dropped, one still firing at its start begins there.
func (t *tracker) clip(start time.Time) {
	for _, tr := range t.rules {
		kept := tr.closed[:0]
		for _, ep := range tr.closed {
			if ep.End <= start.Unix() {
				continue
			}
			ep.Start = max(ep.Start, start.Unix())
			kept = append(kept, ep)
		}
		tr.closed = kept
	}
}

func (t *tracker) results() []ruleResult {
	out := make([]ruleResult, 0, len(t.rules))
	for _, tr := range t.rules {
		episodes := tr.closed
		sort.Slice(episodes, func(i, j int) bool { return episodeBefore(episodes[i], episodes[j]) })
		if episodes == nil {
			episodes = []episode{}
		}
		out = append(out, ruleResult{
			Group: tr.group, Index: tr.index, Alert: tr.rule.Name(),
			Labels: tr.rule.Labels().Map(), Episodes: episodes,
		})
	}
	return out
}

// selectorsCommand prints the series selectors a rule file reads from recorded data: every
// vector selector of every rule, except the series its own recording rules produce and the
// ALERTS and ALERTS_FOR_STATE series the replay writes itself (production's would be mixed in).
func selectorsCommand(args []string) error {
	fs := flag.NewFlagSet("selectors", flag.ExitOnError)
	ruleFile := fs.String("rules", "", "Prometheus rule file")
	_ = fs.Parse(args)
	all, err := parseRuleFile(*ruleFile)
	if err != nil {
		return err
	}
	skipped := map[string]bool{"ALERTS": true, "ALERTS_FOR_STATE": true}
	for _, r := range all {
		if r.record != "" {
			skipped[r.record] = true
		}
	}
	seen := map[string]bool{}
	for _, r := range all {
		parser.Inspect(r.expr, func(n parser.Node, _ []parser.Node) error {
			vs, ok := n.(*parser.VectorSelector)
			if !ok {
				return nil
			}
			name, _ := metricNameOf(vs)
			if selector := selectorOf(vs, name); !skipped[name] && !seen[selector] {
				seen[selector] = true
				fmt.Fprintln(os.Stdout, selector)
			}
			return nil
		})
	}
	return nil
}

// selectorOf drops offsets and @ modifiers: the recording starts early enough for the
// longest of them (lookback.go), and the name is written out (`{__name__="x"}` as `x`).
func selectorOf(vs *parser.VectorSelector, name string) string {
	plain := &parser.VectorSelector{Name: name, LabelMatchers: vs.LabelMatchers}
	return plain.String()
}

// episodeBefore orders episodes by start, then by labels: the report is the same on every run.
func episodeBefore(a, b episode) bool {
	if a.Start != b.Start {
		return a.Start < b.Start
	}
	return labels.FromMap(a.Labels).String() < labels.FromMap(b.Labels).String()
}
