// Package fault breaks the running product the way production breaks it and checks
// that nothing a county, a prefecture or the province did is lost, doubled or decided
// differently. Its tests run the real `selection run` binary on loopback ports: one
// kills it with SIGKILL at seeded random points of a compressed campaign and compares
// the outcome and every audit timeline with an undisturbed run of the same script;
// another stops PostgreSQL across the recommendation deadline and checks that the
// deadline still fires, that the process says it is not ready, and that the read model
// catches up once the database is back.
//
// The package holds tests only; it exists so these slower, process-level tests live
// apart from the unit and integration tests of each package, and run in `make test`.
package fault
