package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/common/promslog"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/rulefmt"
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
// vector selector of every rule, except the series its own recording rules produce.
func selectorsCommand(args []string) error {
	fs := flag.NewFlagSet("selectors", flag.ExitOnError)
	ruleFile := fs.String("rules", "", "Prometheus rule file")
	_ = fs.Parse(args)
	groups, errs := rulefmt.ParseFile(*ruleFile, false, model.UTF8Validation, parser.NewParser(parser.Options{}), promslog.NewNopLogger())
	if errs != nil {
		return errors.Join(errs...)
	}
	recorded := map[string]bool{}
	var exprs []string
	for _, g := range groups.Groups {
		for _, r := range g.Rules {
			if r.Record != "" {
				recorded[r.Record] = true
			}
			exprs = append(exprs, r.Expr)
		}
	}
	seen := map[string]bool{}
	for _, expr := range exprs {
		node, err := parser.NewParser(parser.Options{}).ParseExpr(expr)
		if err != nil {
			return err
		}
		parser.Inspect(node, func(n parser.Node, _ []parser.Node) error {
			vs, ok := n.(*parser.VectorSelector)
			if ok && !recorded[vs.Name] && !seen[vs.String()] {
				seen[vs.String()] = true
				fmt.Fprintln(os.Stdout, selectorOf(vs))
			}
			return nil
		})
	}
	return nil
}

// selectorOf drops offsets and @ modifiers: the recorded range already covers them.
func selectorOf(vs *parser.VectorSelector) string {
	plain := &parser.VectorSelector{Name: vs.Name, LabelMatchers: vs.LabelMatchers}
	return plain.String()
}

// episodeBefore orders episodes by start, then by labels: the report is the same on every run.
func episodeBefore(a, b episode) bool {
	if a.Start != b.Start {
		return a.Start < b.Start
	}
	return labels.FromMap(a.Labels).String() < labels.FromMap(b.Labels).String()
}
