package durabletest

import (
	"sort"
	"sync"
	"time"
)

// clock is the virtual clock the harness gives the engine. Time moves only
// when the harness moves it. Besides what a virtual clock does, it can wake
// every waiter at once (kick): the engine's poll and cron loops treat a
// wake-up as "look again", so an early wake-up is harmless, and it rescues a
// loop that read the time just before the harness moved it and went to wait
// for a moment that is now in the past plus a poll interval.
type clock struct {
	mu     sync.Mutex
	now    time.Time
	timers []timer
}

type timer struct {
	at time.Time
	ch chan time.Time
}

func newClock(start time.Time) *clock { return &clock{now: start} }

// Now implements runtime.Clock.
func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// After implements runtime.Clock.
func (c *clock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.timers = append(c.timers, timer{at: c.now.Add(d), ch: ch})
	return ch
}

// set moves the clock forward to t (never backwards) and fires the timers
// that are due.
func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.now) {
		c.now = t
	}
	sort.Slice(c.timers, func(i, j int) bool { return c.timers[i].at.Before(c.timers[j].at) })
	n := 0
	for n < len(c.timers) && !c.timers[n].at.After(c.now) {
		c.timers[n].ch <- c.now
		n++
	}
	c.timers = append(c.timers[:0], c.timers[n:]...)
}

// kick fires every pending timer now, without moving the clock.
func (c *clock) kick() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, t := range c.timers {
		t.ch <- c.now
	}
	c.timers = c.timers[:0]
}

// hasTimerAt reports whether a timer is set for exactly t.
func (c *clock) hasTimerAt(t time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, tm := range c.timers {
		if tm.at.Equal(t) {
			return true
		}
	}
	return false
}
