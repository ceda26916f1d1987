//go:build unix

package temporalserver

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockDataDir takes an exclusive lock on DataDir/temporal.lock so that two
// servers never share one SQLite database: both would claim the history
// shard and corrupt each other's state. The kernel drops the lock when the
// process dies, so a kill -9 never leaves a stale lock behind.
func lockDataDir(dir string) (unlock func(), err error) {
	f, err := os.OpenFile(filepath.Join(dir, "temporal.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock data dir: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("data dir %s is in use by another Temporal server", dir)
		}
		return nil, fmt.Errorf("lock data dir: %w", err)
	}
	return func() { _ = f.Close() }, nil // closing the file releases the lock
}
