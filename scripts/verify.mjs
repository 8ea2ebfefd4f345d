#!/usr/bin/env node
// Independent check of a meeting export (GET /api/meetings/:id/export), with no server or database:
//   npm run verify -- export.json [--head HASH] [--receipt TOKEN] [--public-key KEY]
// TOKEN is what a voter keeps: "<ballot id>:<receipt code>:<record position>:<record hash>" (or the
// code alone with --ballot <id>). HASH is a record head shown in the room or printed in the minutes.
// KEY is the server's record key (base64), from https://<server>/.well-known/quorum-record-key.
// Checks the hash chain, the server's signature of its head, that every published ballot is in the
// export and agrees with what the chain recorded (declared rules, roll, votes, bulletin board,
// result), recounts every tally, and checks the anchors given. Prints PASS or FAIL with the reason.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
let chain, tally, signer;
try {
  chain = require(path.join(root, 'server/dist/modules/governance/audit-chain.js'));
  tally = require(path.join(root, 'server/dist/modules/governance/tally.js'));
  signer = require(path.join(root, 'server/dist/modules/governance/record-signer.js'));
} catch {
  console.error('FAIL: the server is not built (run `npm run build -w server`)');
  process.exit(2);
}

const args = process.argv.slice(2);
const VALUED = new Set(['--ballot', '--receipt', '--head', '--public-key']);
const file = args.find((a, i) => !a.startsWith('--') && !VALUED.has(args[i - 1]));
const opt = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
if (!file) {
  console.error('usage: npm run verify -- <export.json> [--head HASH] [--receipt TOKEN] [--public-key KEY] [--ballot ID]');
  process.exit(2);
}

class Fail extends Error {}
const check = (ok, reason) => {
  if (!ok) throw new Fail(reason);
};
const same = (a, b) => chain.canonicalJson(a) === chain.canonicalJson(b);
const DECLARED = [
  'title',
  'kind',
  'options',
  'seats',
  'maxChoices',
  'secrecy',
  'rule',
  'abstentionsCount',
  'allowRevote',
  'presentWeight',
  'entitledWeight',
];
const ROLL_FIELDS = ['seatId', 'label', 'weight', 'proxyHolder', 'present'];

function verify(data) {
  check(data?.format === 'quorum-meeting-export/2', 'not a Quorum meeting export (format quorum-meeting-export/2)');
  check(Array.isArray(data.audit) && Array.isArray(data.ballots) && data.meeting, 'the export has no meeting, audit log or ballots');
  check(data.audit.length > 0, 'the audit log is empty');
  const broken = chain.verifyChain(data.audit);
  check(!broken, `audit chain: ${broken}`);
  const head = data.audit.at(-1);
  const lines = [`audit chain intact: ${data.audit.length} entries, head #${head.seq} ${head.hash}`];

  // The server's signature of the head: an editor of the export cannot make a new one.
  const first = data.audit[0];
  check(first.kind === 'meeting.created', 'the audit log does not start with the meeting');
  const s = data.signedHead;
  check(s && typeof s === 'object', 'the export carries no signed record head');
  check(s.meetingId === data.meeting.id, 'the signed head belongs to another meeting');
  check(
    s.seq === head.seq && s.hash === head.hash,
    `the signed head is #${s.seq} ${String(s.hash).slice(0, 16)}, the chain ends at #${head.seq} ${head.hash.slice(0, 16)}: entries were removed or added`,
  );
  check(signer.verifyHead(s), 'the signature of the record head does not hold');
  const named = first.payload?.recordKey;
  check(!named || named.publicKey === s.publicKey, 'the head is signed with a key other than the one the meeting was created under');
  check(signer.keyIdOf(Buffer.from(s.publicKey, 'base64')) === s.keyId, 'the signing key id does not match its key');
  const expectedKey = opt('--public-key');
  if (expectedKey) check(expectedKey.trim() === s.publicKey, `the head is signed by key ${s.keyId}, not by the key given`);
  lines.push(
    `record head signed by key ${s.keyId}${expectedKey ? ' (the key given)' : ' — compare it with /.well-known/quorum-record-key of the server'}`,
  );

  // Every ballot the chain says was published is in the export.
  const exported = new Map(data.ballots.map((b) => [b.id, b]));
  for (const e of data.audit)
    if (e.kind === 'ballot.published')
      check(
        exported.has(e.payload.ballotId),
        `ballot ${e.payload.ballotId} was published (entry #${e.seq}) but is missing from the export`,
      );
  check(exported.size === data.ballots.length, 'a ballot appears twice in the export');

  for (const b of data.ballots) {
    const of = (kind) => data.audit.filter((e) => e.kind === kind && e.payload?.ballotId === b.id);
    const once = (kind) => {
      const found = of(kind);
      check(found.length === 1, `ballot ${b.id}: the audit log records ${found.length} "${kind}" entries`);
      return found[0];
    };
    const opened = once('ballot.opened');
    const frozen = once('roll.frozen');
    const closed = once('ballot.closed');
    const published = once('ballot.published');
    check(
      frozen.seq < opened.seq && opened.seq < closed.seq && closed.seq < published.seq,
      `ballot ${b.id}: its record entries are out of order`,
    );

    // What was declared when voting opened.
    for (const f of DECLARED)
      check(
        same(b[f], opened.payload[f]),
        `ballot ${b.id}: ${f} is ${chain.canonicalJson(b[f])} but the ballot opened with ${chain.canonicalJson(opened.payload[f])}`,
      );

    // The roll is the one frozen when voting opened, seat by seat.
    const roll = new Map(frozen.payload.seats.map((x) => [x.seatId, x]));
    check(
      Array.isArray(b.roll) && b.roll.length === roll.size,
      `ballot ${b.id}: the roll has ${b.roll?.length} seats, ${roll.size} were frozen at opening`,
    );
    const instructionField = b.secrecy === 'secret' ? 'instructionCommitment' : 'instruction';
    for (const seat of b.roll) {
      const rec = roll.get(seat.seatId);
      check(rec, `ballot ${b.id}: seat ${seat.seatId} was not on the roll frozen at opening`);
      for (const f of [...ROLL_FIELDS, instructionField])
        check(
          same(seat[f] ?? null, rec[f] ?? null),
          `ballot ${b.id}: the roll entry of ${seat.label ?? seat.seatId} differs from the frozen roll in ${f}`,
        );
    }
    if (b.secrecy === 'secret')
      check(
        b.roll.every((x) => !('instruction' in x) || x.instruction === null),
        `ballot ${b.id}: a secret ballot's roll shows a proxy instruction`,
      );

    // A secret ballot whose key tellers hold: voting ended, then enough of its tellers released their
    // shares (each once), then the count.
    const keyed = b.secrecy === 'secret' && Array.isArray(opened.payload.tellers);
    const ended = keyed ? once('ballot.voting-ended') : null;
    if (keyed) {
      check(opened.seq < ended.seq && ended.seq < closed.seq, `ballot ${b.id}: voting ended outside its opening and its count`);
      const tellers = new Set(opened.payload.tellers);
      const released = of('key.share-released');
      for (const r of released) {
        check(
          tellers.has(r.payload.tellerId),
          `ballot ${b.id}: ${r.payload.tellerId} released a key share (entry #${r.seq}) but is not one of its tellers`,
        );
        check(r.seq > ended.seq && r.seq < closed.seq, `ballot ${b.id}: a key share released outside the count (entry #${r.seq})`);
      }
      check(
        new Set(released.map((r) => r.payload.tellerId)).size === released.length,
        `ballot ${b.id}: a teller released a key share twice`,
      );
      check(
        released.length >= opened.payload.keyThreshold,
        `ballot ${b.id}: counted with ${released.length} key shares released, ${opened.payload.keyThreshold} needed`,
      );
    }

    // The votes the chain recorded while voting was open: the last one per seat counts.
    const votes = new Map();
    for (const e of data.audit) {
      if ((e.kind === 'vote.cast' || e.kind === 'vote.replaced') && e.payload.ballotId === b.id) {
        check(e.seq > opened.seq && e.seq < (ended ?? closed).seq, `ballot ${b.id}: a vote recorded outside voting (entry #${e.seq})`);
        check(
          e.kind === 'vote.cast' ? !votes.has(e.payload.seatId) : votes.has(e.payload.seatId) && b.allowRevote,
          `ballot ${b.id}: entry #${e.seq} is a second vote for one seat`,
        );
        votes.set(e.payload.seatId, e.payload);
      }
    }
    for (const seat of votes.keys()) check(roll.has(seat), `ballot ${b.id}: a vote for seat ${seat}, which is not on the roll`);
    const spoiled = closed.payload.spoiled ?? 0;
    check(
      closed.payload.ballotsCounted + spoiled === votes.size,
      `ballot ${b.id}: ${votes.size} votes recorded but ${closed.payload.ballotsCounted} counted and ${spoiled} spoiled`,
    );

    check(
      Array.isArray(b.bulletin) && b.bulletin.length === published.payload.entries,
      `ballot ${b.id}: ${b.bulletin?.length} entries on the bulletin board, ${published.payload.entries} were published`,
    );
    check(
      published.payload.bulletinHash === chain.sha256(chain.canonicalJson(b.bulletin)),
      `ballot ${b.id}: the bulletin board is not the one published`,
    );
    check(
      new Set(b.bulletin.map((e) => e.receiptHash)).size === b.bulletin.length,
      `ballot ${b.id}: a receipt appears twice on the bulletin board`,
    );

    if (b.secrecy === 'roll-call') {
      check(
        b.bulletin.length === votes.size,
        `ballot ${b.id}: ${votes.size} votes recorded but ${b.bulletin.length} on the bulletin board`,
      );
      for (const entry of b.bulletin) {
        const v = votes.get(entry.seatId);
        check(
          v && same(v.choice, entry.choice) && v.receiptHash === entry.receiptHash,
          `ballot ${b.id}: the bulletin entry of ${entry.label} does not match the recorded vote`,
        );
        check(entry.weight === roll.get(entry.seatId).weight, `ballot ${b.id}: wrong weight for ${entry.label}`);
      }
    } else {
      // One entry per unit of weight of every seat that voted (less spoiled envelopes).
      const units = [...votes.keys()].reduce((n, seat) => n + roll.get(seat).weight, 0);
      check(
        b.bulletin.every((e) => e.secrecy === 'secret' && e.weight === 1 && !('seatId' in e)),
        `ballot ${b.id}: a secret bulletin entry names a seat or carries a weight`,
      );
      check(
        spoiled ? b.bulletin.length < units : b.bulletin.length === units,
        `ballot ${b.id}: ${b.bulletin.length} bulletin entries for ${units} units of weight that voted`,
      );
    }

    // Recount from the bulletin board with the ballot's own rule.
    const counted = b.bulletin.map((e) => ({ choice: e.choice, weight: e.weight }));
    let result;
    try {
      result =
        b.kind === 'motion'
          ? {
              kind: 'motion',
              ...tally.tallyMotion({
                rule: b.rule,
                abstentionsCount: b.abstentionsCount,
                votes: counted,
                presentWeight: b.presentWeight,
                entitledWeight: b.entitledWeight,
              }),
            }
          : {
              kind: 'election',
              ...tally.tallyElection({ candidates: b.options, seats: b.seats, maxChoices: b.maxChoices, votes: counted }),
            };
    } catch (err) {
      throw new Fail(`ballot ${b.id}: the bulletin board holds an invalid ballot (${err.message})`);
    }
    check(
      same(result, closed.payload.result),
      `ballot ${b.id}: recount gives ${chain.canonicalJson(result)}, the record says ${chain.canonicalJson(closed.payload.result)}`,
    );
    check(
      closed.payload.resultHash === chain.sha256(chain.canonicalJson(closed.payload.result)),
      `ballot ${b.id}: the recorded result does not match its hash`,
    );
    check(same(result, b.result), `ballot ${b.id}: the exported result differs from the recount`);
    lines.push(
      `ballot "${b.title}" (${b.secrecy}): ${votes.size} seats voted, ${b.bulletin.length} bulletin entries, recount matches: ${result.outcome}`,
    );
  }

  // Anchors kept outside the export: a record head, a voter's receipt.
  const anchor = opt('--head');
  if (anchor) {
    const h = anchor.trim().toLowerCase();
    check(/^[0-9a-f]{16,64}$/.test(h), 'the head given is not a hash (16 to 64 hex characters)');
    const at = data.audit.find((e) => e.hash.startsWith(h));
    check(at, `the record does not contain the head ${h}: it was rewritten or cut`);
    lines.push(`head ${h} found at entry #${at.seq}`);
  }
  const token = opt('--receipt');
  if (token) {
    const parts = token.trim().split(':');
    const [ballotId, code, seq, hash] = parts.length >= 2 ? parts : [opt('--ballot'), parts[0]];
    const b = data.ballots.find((x) => x.id === ballotId);
    check(b, `no published ballot ${ballotId} in the export`);
    if (seq !== undefined) {
      const at = data.audit.find((e) => e.seq === Number(seq));
      check(
        at && at.hash === String(hash).toLowerCase(),
        `the record at the receipt's position #${seq} is not the one the voter was given: the record was rewritten`,
      );
      check(
        (at.kind === 'vote.cast' || at.kind === 'vote.replaced') && at.payload.ballotId === b.id,
        `the receipt's record entry #${seq} is not a vote on this ballot`,
      );
    }
    const receipt = String(code).trim().toUpperCase();
    const entries = [];
    for (let unit = 1; ; unit++) {
      const entry = b.bulletin.find((e) => e.receiptHash === chain.receiptHash(b.id, receipt, unit));
      if (!entry) break;
      entries.push(entry);
    }
    check(entries.length > 0, 'this receipt is not on the bulletin board');
    check(
      entries.every((e) => same(e.choice, entries[0].choice)),
      'the entries of this receipt disagree',
    );
    lines.push(`receipt found: counted as ${JSON.stringify(entries[0].choice)} with weight ${entries.reduce((n, e) => n + e.weight, 0)}`);
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
