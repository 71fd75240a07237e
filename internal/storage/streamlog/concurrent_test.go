package streamlog

import (
	"encoding/binary"
	"fmt"
	"sync"
	"testing"
)

// Appenders on several logs race with readers that follow each log to its
// end; every reader must see dense offsets and each appender's records in
// order, and nothing unacknowledged.
func TestConcurrentAppendRead(t *testing.T) {
	s := openTest(t, t.TempDir(), Options{SegmentBytes: 4 << 10})
	const logs, appenders, appends = 3, 4, 60
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for li := range logs {
		l := openLogT(t, s, fmt.Sprintf("c/%d", li))
		for a := range appenders {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range appends {
					n := 1 + i%5
					recs := make([]Record, n)
					for k := range recs {
						recs[k] = Record{Time: int64(i), Data: binary.BigEndian.AppendUint32([]byte{byte(a)}, uint32(i*10+k))}
					}
					if _, err := l.Append(recs); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Add(1)
		go func() { // reader: follows the log until it holds every record
			defer wg.Done()
			total := uint64(appenders * (appends / 5) * (1 + 2 + 3 + 4 + 5))
			last := map[byte]uint32{}
			var next uint64
			for next < total {
				changed := l.Changed()
				n, err := l.Read(next, 7, 0, func(off uint64, r Record) error {
					if off != next {
						return fmt.Errorf("offset %d, want %d", off, next)
					}
					a, seq := r.Data[0], binary.BigEndian.Uint32(r.Data[1:])
					if prev, ok := last[a]; ok && seq <= prev {
						return fmt.Errorf("appender %d: %d after %d", a, seq, prev)
					}
					last[a] = seq
					next++
					return nil
				})
				if err != nil {
					errs <- err
					return
				}
				if n == next && next < total && n == l.End() {
					<-changed
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// Trimming and reading race: a reader that started before a trim finishes on
// the files it opened; later reads start at the new Start().
func TestTrimConcurrentWithRead(t *testing.T) {
	s := openTest(t, t.TempDir(), Options{SegmentBytes: 2 << 10, NoSync: true})
	l := openLogT(t, s, "trim/race")
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	done := make(chan struct{})
	wg.Add(3)
	go func() { // appender: time = batch number
		defer wg.Done()
		defer close(done)
		for i := range 400 {
			if _, err := l.Append([]Record{{Time: int64(i), Data: make([]byte, 100)}, {Time: int64(i), Data: make([]byte, 50)}}); err != nil {
				errs <- err
				return
			}
		}
	}()
	go func() { // trimmer: keeps about the last 50 batches
		defer wg.Done()
		for {
			finished := false
			select {
			case <-done:
				finished = true // one last trim: on a busy machine the appender may finish first
			default:
			}
			end := l.End()
			if _, err := l.TrimBefore(int64(end/2) - 50); err != nil {
				errs <- err
				return
			}
			if finished {
				return
			}
		}
	}()
	go func() { // reader: offsets increase, times never go backwards
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			default:
			}
			prevOff, prevTime := uint64(0), int64(-1)
			if _, err := l.Read(0, 0, 0, func(off uint64, r Record) error {
				if off < prevOff || r.Time < prevTime || (len(r.Data) != 100 && len(r.Data) != 50) {
					return fmt.Errorf("offset %d time %d len %d after offset %d time %d", off, r.Time, len(r.Data), prevOff, prevTime)
				}
				prevOff, prevTime = off, r.Time
				return nil
			}); err != nil {
				errs <- err
				return
			}
			// A trim may land between the calls: SeekTime(0) is the Start()
			// of some moment between the two readings.
			before := l.Start()
			seek := l.SeekTime(0)
			after := l.Start()
			if seek < before || seek > after {
				errs <- fmt.Errorf("SeekTime(0) = %d, Start() went from %d to %d", seek, before, after)
				return
			}
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if l.Start() == 0 {
		t.Fatal("nothing was trimmed")
	}
}
