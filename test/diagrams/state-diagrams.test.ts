import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { coinMachine, collectorMachine, connectorMachine, managerMachine } from '../../machines/index.js';
import { stateDiagramsMarkdown } from '../../src/diagrams/document.js';
import { eventLabel, machineToMermaid } from '../../src/diagrams/mermaid.js';

describe('state diagrams', () => {
  test('the committed docs/state-diagrams.md is exactly what the machines generate', () => {
    const committed = readFileSync(new URL('../../docs/state-diagrams.md', import.meta.url), 'utf8');
    assert.equal(committed, stateDiagramsMarkdown(), 'docs/state-diagrams.md is stale: run npx tickvisor diagrams');
  });

  test('top-level states are exactly the design tables', () => {
    const top = (m: { root: { states: Record<string, unknown> } }) => Object.keys(m.root.states);
    assert.deepEqual(top(coinMachine), ['Ready', 'Requested', 'Subscribed', 'Stopped']);
    assert.deepEqual(top(connectorMachine), ['Ready', 'Connecting', 'Connected', 'SubscriptionRequesting', 'Failed', 'Recovering']);
    assert.deepEqual(top(collectorMachine), ['Ready', 'Running', 'Stopped']);
    assert.deepEqual(top(managerMachine), ['Managing']);
  });

  test('every transition of a machine appears with its event label, nested states included', () => {
    const { mermaid } = machineToMermaid(connectorMachine);
    assert.match(mermaid, /^stateDiagram-v2/);
    assert.match(mermaid, /state "Failed" as Failed \{/);
    assert.match(mermaid, /Failed_Deciding --> Failed_GaveUp: always \[budgetSpent\]/);
    assert.match(mermaid, /Connecting --> Failed: after connectTimeout/);
    assert.match(mermaid, /Ready --> Connecting: START/);
    const { mermaid: collector } = machineToMermaid(collectorMachine);
    assert.match(collector, /Running_Listing --> Running_Supervising: done: listSymbols/);
  });

  test('event labels read as a person would write them', () => {
    assert.equal(eventLabel('xstate.after.reconnectDelay.connector.Recovering'), 'after reconnectDelay');
    assert.equal(eventLabel('xstate.error.actor.*'), 'child crashed');
    assert.equal(eventLabel('SOCKET.OPEN'), 'SOCKET.OPEN');
  });
});
