// Package e2e holds the end-to-end tests that join the workflows, the real activities
// and PostgreSQL on the in-process Temporal server.
package e2e
