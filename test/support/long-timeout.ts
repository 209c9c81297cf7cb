// Integration and fault specs start real processes on a shared, noisy 2-core machine; unit specs
// keep jest's short global timeout so a hang there is reported in seconds.
jest.setTimeout(300_000);
