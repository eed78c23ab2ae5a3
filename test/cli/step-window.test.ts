/**
 * The sentences a capture's page or diagram says of what it holds: the window of packets (windowSentence) and the
 * flows it lists (flowsSentence), with the counts a reader needs to know what is missing.
 */
import { describe, expect, it } from 'vitest';
import { flowsSentence, LISTED_FLOWS, windowSentence } from '../../src/cli/step-window.js';

describe('flowsSentence', () => {
  it('says nothing when every flow is listed', () => {
    expect(flowsSentence({ flows: 12, listed: 12, blocked: 3, blockedListed: 3, windowed: true })).toBeUndefined();
  });

  it('counts the flows listed and the blocked ones left out, for a page and a diagram', () => {
    expect(LISTED_FLOWS).toEqual({ blocked: 10_000, passed: 10_000 });
    expect(flowsSentence({ flows: 800_000, listed: 21_234, blocked: 25_000, blockedListed: 10_000, windowed: true })).toBe(
      "the flows table lists 21,234 of the capture's 800,000 flows (every flow with a packet in the step-through and the control connection of each data flow there, and of the others the first 10,000 blocked flows and the first 10,000 that passed); 15,000 blocked flows are counted in the totals but not listed",
    );
    expect(flowsSentence({ flows: 30_000, listed: 20_000, blocked: 10_001, blockedListed: 10_000, windowed: false }, false)).toBe(
      "the diagram covers 20,000 of the capture's 30,000 flows (the first 10,000 blocked flows and the first 10,000 that passed); 1 blocked flow is counted in the totals but not listed",
    );
    // every blocked flow listed: no word of them
    expect(flowsSentence({ flows: 30_000, listed: 12_000, blocked: 2_000, blockedListed: 2_000, windowed: false }, false)).not.toContain('blocked flow is');
  });
});

describe('windowSentence', () => {
  const held = { asked: { first: 1, last: 50_000 }, held: { first: 1, last: 50_000 }, records: 1_280_000, chosen: false };
  it('says the flows cover the whole capture only when all are listed', () => {
    expect(windowSentence(held)).toBe(
      'the step-through holds packets 1–50,000 of 1,280,000 (the first 50,000: a page of every packet would not fit; --steps FIRST-LAST shows others); the flows and the totals cover the whole capture',
    );
    expect(windowSentence(held, true, false)).toMatch(/; the totals cover the whole capture$/);
    expect(windowSentence({ ...held, asked: { first: 1, last: 2_000_000 } })).toBeUndefined();
  });
});
