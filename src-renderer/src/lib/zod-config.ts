import * as z from 'zod';

// zod probes `new Function` when it builds object schemas; the app's CSP forbids eval, so the
// probe shows up as a console CSP violation on every load. Jitless mode skips the probe (and the
// JIT); parsing stays correct. Imported first by main.tsx, before any schema is constructed.
z.config({ jitless: true });
