package omapi

// Test seams for the external tests.

// ExtraStreams is how many extra connections ReadBatch holds open.
func (c *Conn) ExtraStreams() int {
	c.extraMu.Lock()
	defer c.extraMu.Unlock()
	return len(c.extra)
}

// CutStream closes the transport of extra connection j under it, as a
// network failure would.
func (c *Conn) CutStream(j int) {
	c.extraMu.Lock()
	defer c.extraMu.Unlock()
	c.extra[j].nc.Close()
}

// SpinSkipping reports whether reads on c have stopped spinning for a
// while, after replies slower than the spin.
func (c *Conn) SpinSkipping() bool { return c.src.skip > 0 }

// CanSpin reports whether reads on c may spin at all.
func (c *Conn) CanSpin() bool { return c.src.rc != nil }

// SetCancelHook installs fn as the hook of the cancellation callback (see
// testHookCancel) until the end of the test.
func SetCancelHook(tb interface{ Cleanup(func()) }, fn func(event string)) {
	testHookCancel = fn
	tb.Cleanup(func() { testHookCancel = nil })
}

// Owed returns how many replies to interrupted requests c still expects.
func (c *Conn) Owed() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.owed)
}

// BreakStep marks c out of step, as a request half written would, and
// closes its transport.
func (c *Conn) BreakStep() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.outOfStep(ProtocolError("made out of step by the test"), "test")
}

// MaxRequestValues is maxRequestValues, for the external tests.
var MaxRequestValues = maxRequestValues
