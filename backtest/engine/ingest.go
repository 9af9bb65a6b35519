package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/promslog"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/value"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb"
)

// ingestCommand writes TSDB blocks from a scrape stream, the compact form the recorder
// (backtest/record.ts) writes instead of OpenMetrics, through the tsdb package's BlockWriter
// (what `promtool tsdb create-blocks-from` uses). The stream names each series once and then
// only the values that change; every scrape appends every live series' current value:
//
//	s ID SERIES   a new series, e.g. s 3 bot_cpu_percent{bot="bot-001",job="port8000"}
//	v ID VALUE    its value from this scrape on (a Prometheus text-format number)
//	x ID          it is gone from this scrape on
//	t MS          a scrape at MS (unix milliseconds); the lines after it up to the next t
//	              are its changes
func ingestCommand(args []string) error {
	fs := flag.NewFlagSet("ingest", flag.ExitOnError)
	out := fs.String("out", "", "directory for the blocks")
	blockSize := fs.Duration("block", 24*time.Hour, "block length")
	_ = fs.Parse(args)
	if *out == "" {
		return errors.New("ingest needs --out")
	}
	in := &ingester{out: *out, blockMs: blockSize.Milliseconds(), scrape: -1, window: -1}
	if err := in.read(os.Stdin); err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(map[string]int64{"samples": in.samples})
}

type liveSeries struct {
	labels labels.Labels
	ref    storage.SeriesRef
	value  float64
	live   bool
	// gone: it vanished since the last scrape, which writes a stale marker as a scrape does.
	gone bool
}

type ingester struct {
	out     string
	blockMs int64
	series  []*liveSeries
	writer  *tsdb.BlockWriter
	app     storage.Appender
	window  int64
	scrape  int64
	pending int
	samples int64
}

// commitEvery scrapes: an appender holds its samples in memory until it commits.
const commitEvery = 120

func (in *ingester) read(r io.Reader) error {
	scanner := bufio.NewScanner(bufio.NewReaderSize(r, 1<<20))
	scanner.Buffer(make([]byte, 1<<16), 1<<20)
	line := 0
	for scanner.Scan() {
		line++
		if err := in.apply(scanner.Text()); err != nil {
			return fmt.Errorf("stream line %d: %w", line, err)
		}
	}
	if err := scanner.Err(); err != nil {
		return err
	}
	if err := in.appendScrape(); err != nil {
		return err
	}
	return in.flush()
}

func (in *ingester) apply(text string) error {
	kind, rest, _ := strings.Cut(text, " ")
	switch kind {
	case "t":
		if err := in.appendScrape(); err != nil {
			return err
		}
		ms, err := strconv.ParseInt(rest, 10, 64)
		in.scrape = ms
		return err
	case "s":
		id, metric, _ := strings.Cut(rest, " ")
		lset, err := parser.NewParser(parser.Options{}).ParseMetric(metric)
		if err != nil {
			return err
		}
		return in.define(id, lset)
	case "v", "x":
		idText, number, _ := strings.Cut(rest, " ")
		s, err := in.lookup(idText)
		if err != nil {
			return err
		}
		s.gone = s.live && kind == "x"
		s.live = kind == "v"
		if s.live {
			s.value, err = strconv.ParseFloat(number, 64)
		}
		return err
	}
	return fmt.Errorf("unknown line %q", text)
}

func (in *ingester) define(idText string, lset labels.Labels) error {
	id, err := strconv.Atoi(idText)
	if err != nil || id != len(in.series) {
		return fmt.Errorf("series id %q out of sequence", idText)
	}
	in.series = append(in.series, &liveSeries{labels: lset})
	return nil
}

func (in *ingester) lookup(idText string) (*liveSeries, error) {
	id, err := strconv.Atoi(idText)
	if err != nil || id < 0 || id >= len(in.series) {
		return nil, fmt.Errorf("unknown series %q", idText)
	}
	return in.series[id], nil
}

// appendScrape appends the pending scrape; a new block starts at each block boundary.
func (in *ingester) appendScrape() error {
	if in.scrape < 0 {
		return nil
	}
	if window := in.scrape / in.blockMs; window != in.window {
		if err := in.flush(); err != nil {
			return err
		}
		writer, err := tsdb.NewBlockWriter(promslog.NewNopLogger(), in.out, in.blockMs)
		if err != nil {
			return err
		}
		in.writer, in.app, in.window = writer, writer.Appender(context.Background()), window
		for _, s := range in.series {
			s.ref = 0
		}
	}
	for _, s := range in.series {
		if !s.live && !s.gone {
			continue
		}
		v := s.value
		if s.gone {
			v, s.gone = math.Float64frombits(value.StaleNaN), false
		}
		ref, err := in.app.Append(s.ref, s.labels, in.scrape, v)
		if err != nil {
			return fmt.Errorf("%s at %d: %w", s.labels, in.scrape, err)
		}
		s.ref = ref
		in.samples++
	}
	in.scrape = -1
	if in.pending++; in.pending < commitEvery {
		return nil
	}
	in.pending = 0
	if err := in.app.Commit(); err != nil {
		return err
	}
	in.app = in.writer.Appender(context.Background())
	return nil
}

func (in *ingester) flush() error {
	if in.writer == nil {
		return nil
	}
	defer in.writer.Close()
	if err := in.app.Commit(); err != nil {
		return err
	}
	_, err := in.writer.Flush(context.Background())
	in.writer = nil
	return err
}
