#!/usr/bin/env node
// Independent check of a meeting export (GET /api/meetings/:id/export), with no server or database:
//   npm run verify -- export.json [--ballot <id> --receipt <code>]
// Validates the hash chain of the audit log, that each published ballot's roll, votes, bulletin board
// and result agree with what the chain recorded, and recomputes every tally from the bulletin board.
// With --receipt, also checks that this receipt is on the ballot's bulletin board. Prints PASS or
// FAIL with the reason; exits 0 or 1.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
let chain, tally;
try {
  chain = require(path.join(root, 'server/dist/modules/governance/audit-chain.js'));
  tally = require(path.join(root, 'server/dist/modules/governance/tally.js'));
} catch {
  console.error('FAIL: the server is not built (run `npm run build -w server`)');
  process.exit(2);
}

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--') && args[args.indexOf(a) - 1] !== '--ballot' && args[args.indexOf(a) - 1] !== '--receipt');
const opt = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
if (!file) {
  console.error('usage: npm run verify -- <export.json> [--ballot <id> --receipt <code>]');
  process.exit(2);
}

class Fail extends Error {}
const check = (ok, reason) => {
  if (!ok) throw new Fail(reason);
};
const same = (a, b) => chain.canonicalJson(a) === chain.canonicalJson(b);

function verify(data) {
  check(data?.format === 'quorum-meeting-export/1', 'not a Quorum meeting export');
  check(Array.isArray(data.audit) && Array.isArray(data.ballots), 'the export has no audit log or ballots');
  const broken = chain.verifyChain(data.audit);
  check(!broken, `audit chain: ${broken}`);
  const lines = [`audit chain intact: ${data.audit.length} entries, head ${data.audit.at(-1)?.hash.slice(0, 16) ?? '-'}`];

  for (const b of data.ballots) {
    const of = (kind) => data.audit.filter((e) => e.kind === kind && e.payload.ballotId === b.id);
    const [frozen] = of('roll.frozen');
    const [closed] = of('ballot.closed');
    const [published] = of('ballot.published');
    check(frozen && closed && published, `ballot ${b.id}: the audit log does not record its roll, close and publication`);

    // The roll is the one frozen when voting opened.
    const roll = new Map(frozen.payload.seats.map((s) => [s.seatId, s]));
    check(b.roll.length === roll.size && b.roll.every((s) => roll.get(s.seatId)?.weight === s.weight), `ballot ${b.id}: the roll differs from the one frozen at opening`);

    // The votes the chain recorded: the last one per seat counts.
    const votes = new Map();
    for (const e of data.audit) if ((e.kind === 'vote.cast' || e.kind === 'vote.replaced') && e.payload.ballotId === b.id) votes.set(e.payload.seatId, e.payload);
    for (const seat of votes.keys()) check(roll.has(seat), `ballot ${b.id}: a vote for seat ${seat}, which is not on the roll`);
    check(b.bulletin.length === votes.size, `ballot ${b.id}: ${votes.size} votes recorded but ${b.bulletin.length} on the bulletin board`);
    check(published.payload.bulletinHash === chain.sha256(chain.canonicalJson(b.bulletin)), `ballot ${b.id}: the bulletin board is not the one published`);

    if (b.secrecy === 'roll-call') {
      for (const entry of b.bulletin) {
        const v = votes.get(entry.seatId);
        check(v && same(v.choice, entry.choice) && v.receiptHash === entry.receiptHash, `ballot ${b.id}: the bulletin entry of ${entry.label} does not match the recorded vote`);
        check(entry.weight === roll.get(entry.seatId).weight, `ballot ${b.id}: wrong weight for ${entry.label}`);
      }
    } else {
      const weights = (xs) => xs.map((x) => x).sort((p, q) => p - q).join(',');
      check(weights(b.bulletin.map((e) => e.weight)) === weights([...votes.keys()].map((s) => roll.get(s).weight)), `ballot ${b.id}: the weights on the bulletin board do not match the seats that voted`);
      check(new Set(b.bulletin.map((e) => e.receiptHash)).size === b.bulletin.length, `ballot ${b.id}: a receipt appears twice`);
    }

    // Recount from the bulletin board with the ballot's own rule.
    const counted = b.bulletin.map((e) => ({ choice: e.choice, weight: e.weight }));
    let result;
    try {
      result =
        b.kind === 'motion'
          ? { kind: 'motion', ...tally.tallyMotion({ rule: b.rule, abstentionsCount: b.abstentionsCount, votes: counted, presentWeight: b.presentWeight, entitledWeight: b.entitledWeight }) }
          : { kind: 'election', ...tally.tallyElection({ candidates: b.options, seats: b.seats, maxChoices: b.maxChoices, votes: counted }) };
    } catch (err) {
      throw new Fail(`ballot ${b.id}: the bulletin board holds an invalid ballot (${err.message})`);
    }
    check(same(result, closed.payload.result), `ballot ${b.id}: recount gives ${chain.canonicalJson(result)}, the record says ${chain.canonicalJson(closed.payload.result)}`);
    check(same(result, b.result), `ballot ${b.id}: the exported result differs from the recount`);
    lines.push(`ballot "${b.title}" (${b.secrecy}): ${b.bulletin.length} ballots, recount matches: ${result.outcome}`);
  }

  const ballotId = opt('--ballot');
  const receipt = opt('--receipt');
  if (receipt) {
    const b = data.ballots.find((x) => x.id === ballotId);
    check(b, `no published ballot ${ballotId} in the export`);
    const entry = b.bulletin.find((e) => e.receiptHash === chain.receiptHash(b.id, receipt.trim().toUpperCase()));
    check(entry, 'this receipt is not on the bulletin board');
    lines.push(`receipt found: counted as ${JSON.stringify(entry.choice)} with weight ${entry.weight}`);
  }
  return lines;
}

try {
  const lines = verify(JSON.parse(readFileSync(file, 'utf8')));
  for (const l of lines) console.log(l);
  console.log('PASS');
} catch (err) {
  console.log(`FAIL: ${err instanceof Fail ? err.message : `unreadable export (${err.message})`}`);
  process.exit(1);
}
