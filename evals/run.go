package evals

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Run replays cases through turn on workers goroutines (GOMAXPROCS when ≤ 0) and scores each
// outcome; results are in case order. A turn error or panic is recorded in Outcome.Err and
// scores as wrong. Millis is measured here unless turn reports it. progress, if set, is called
// after each case, one call at a time, with done counting up to total. When ctx ends, Run stops
// handing out cases and, once the turns under way return (turn should honour ctx), returns
// ctx.Err() and no results.
func Run(ctx context.Context, cases []Case, workers int, turn func(context.Context, Case) (Outcome, error), progress func(done, total int)) ([]Result, error) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	results := make([]Result, len(cases))
	var next atomic.Int64
	var mu sync.Mutex // serialises progress
	done := 0
	var wg sync.WaitGroup
	for range min(workers, len(cases)) {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= len(cases) {
					return
				}
				results[i] = Score(cases[i], runTurn(ctx, turn, cases[i]))
				if progress != nil {
					mu.Lock()
					done++
					progress(done, len(cases))
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return results, nil
}

// runTurn runs one case, turning an error or a panic into the outcome's Err.
func runTurn(ctx context.Context, turn func(context.Context, Case) (Outcome, error), c Case) (o Outcome) {
	start := time.Now()
	defer func() {
		if p := recover(); p != nil {
			o = Outcome{Err: fmt.Sprintf("panic: %v", p)}
		}
		if o.Millis == 0 {
			o.Millis = float64(time.Since(start).Microseconds()) / 1000
		}
	}()
	o, err := turn(ctx, c)
	if err != nil {
		o.Err = err.Error()
	}
	return o
}
