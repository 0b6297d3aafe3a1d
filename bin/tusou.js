#!/usr/bin/env node
// Entry point of the `tusou` command: the compiled CLI (built by `npm run build`, which
// `npm ci` runs through the prepare script).
import '../dist/cli/main.js';
