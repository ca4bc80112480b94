'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS: it runs before TypeScript can be loaded */
/*
 * A reading thread of AgentBodyReader (agent-body-reader.ts). The services run TypeScript through
 * @swc-node/register, which a thread inherits from the process's flags; where the process has no such flag (a test
 * runner's), it is registered here. Each thread remembers the title rows it has normalized.
 */
if (!require.extensions['.ts']) require('@swc-node/register');
const { readAgentBody } = require('./agent-body-reader.ts');
const { TitleRowMemo } = require('./inventory-content.ts');

const memo = new TitleRowMemo();

module.exports = (request) => readAgentBody(request, memo);
