#!/usr/bin/env node
// The published command: runs the compiled CLI (npm install builds dist/ through `prepare`).
import { main } from '../dist/src/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(error);
    process.exitCode = 1;
  },
);
