#!/usr/bin/env node
'use strict';
// Runs the kabosu CLI from a source checkout (`npx kabosu ...`, `npm start`).
// The release build is the esbuild bundle (dist/kabosu.cjs) or the single executable.
require('tsx/cjs');
require('../src/main.ts');
