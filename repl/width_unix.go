//go:build unix

package repl

import (
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// widthChange is onWidthChanged's state: the callback of the line editor
// made last, and the SIGWINCH watcher started once.
var widthChange struct {
	once sync.Once
	mu   sync.Mutex
	fn   func()
}

// onWidthChanged is readline's FuncOnWidthChanged (call f when the
// terminal is resized) without the data race of readline's default, which
// keeps f in a package variable every new line editor writes unguarded:
// a race as soon as two shells start in one process, as the tests run
// them. As with readline's, the editor made last gets the resizes.
func onWidthChanged(f func()) {
	widthChange.mu.Lock()
	widthChange.fn = f
	widthChange.mu.Unlock()
	widthChange.once.Do(func() {
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, syscall.SIGWINCH)
		go func() {
			for range ch {
				widthChange.mu.Lock()
				fn := widthChange.fn
				widthChange.mu.Unlock()
				fn()
			}
		}()
	})
}
