import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Refusal } from '../../server/lib/refusal.ts';
import { inFlight, journalWritten, readJournal, startJournal, stopJournal } from '../../server/store/index.ts';

// The in-flight journal (server/store/journal.ts): what it says about a run that stopped is what
// the start-up repair trusts, so each promise is checked against the file itself.

describe('the in-flight journal', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doorstep-journal-'));
  });
  afterEach(async () => {
    await stopJournal();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('says nothing of a directory without one, and records nothing before it is started', async () => {
    assert.equal(readJournal(dir), null);
    assert.equal(await inFlight('posting', 'p1', async () => 7), 7);
    assert.equal(readJournal(dir), null);
  });

  it('has a key on disk before its write runs, and closes it when the write ends', async () => {
    startJournal(dir);
    let seen: unknown;
    await inFlight('course', 'c1', async () => {
      seen = readJournal(dir)?.get('course');
    });
    assert.deepEqual(seen, [{ key: 'c1', failed: false }], 'open while the write runs');
    await journalWritten(); // the closing line is written without waiting
    assert.equal(readJournal(dir)?.size, 0, 'nothing open afterwards');
    assert.equal(await stopJournal(), true);
    assert.equal(readJournal(dir), null, 'a clean stop leaves no journal');
  });

  it('keeps a key open while any of its writes runs, with one line for the burst', async () => {
    startJournal(dir);
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    const first = inFlight('ledger-entry', 'e1', () => held);
    await inFlight('ledger-entry', 'e1', async () => {});
    assert.deepEqual(readJournal(dir)?.get('ledger-entry'), [{ key: 'e1', failed: false }], 'the first write still runs');
    release();
    await first;
    await journalWritten();
    assert.equal(readJournal(dir)?.size, 0);
    const lines = fs.readFileSync(path.join(dir, 'in-flight.journal'), 'utf8').trim().split('\n');
    assert.deepEqual(lines, ['+ledger-entry e1', '-ledger-entry e1']);
  });

  it('keeps a key whose write failed open, through later writes and a clean stop', async () => {
    startJournal(dir);
    await assert.rejects(
      inFlight('arrears', 'u1', async () => {
        throw new Error('the database went away');
      }),
    );
    await inFlight('arrears', 'u1', async () => {});
    await inFlight('arrears', 'u2', async () => {});
    await assert.rejects(
      inFlight('arrears', 'u3', async () => {
        throw new Refusal('conflict', 'errors.stale');
      }),
    );
    await journalWritten();
    assert.deepEqual(readJournal(dir)?.get('arrears'), [{ key: 'u1', failed: true }], 'a refusal (u3) is an answer, not a failure');
    assert.equal(await stopJournal(), false, 'not clean: the next start repairs u1');
    assert.deepEqual(readJournal(dir)?.get('arrears'), [{ key: 'u1', failed: true }], 'the file stays for the next start');
  });

  it('compacts a long file to the keys still open', async function () {
    this.timeout(60_000);
    startJournal(dir);
    let release!: () => void;
    const held = inFlight('workshop', 'w-open', () => new Promise<void>((r) => (release = r)));
    await inFlight('roster', 'r-failed', async () => Promise.reject(new Error('x'))).catch(() => {});
    // About 1.3 MB of lines, in batches (the lines of a batch share one sync).
    for (let b = 0; b < 30; b++) await Promise.all(Array.from({ length: 500 }, (_, i) => inFlight('posting', `65f0000000000000000${b}-${i}`, async () => {})));
    await inFlight('posting', 'last', async () => {});
    await journalWritten();
    const size = fs.statSync(path.join(dir, 'in-flight.journal')).size;
    assert.ok(size < 1 << 20, `compacted (${size} bytes)`);
    const open = readJournal(dir)!;
    assert.deepEqual(open.get('workshop'), [{ key: 'w-open', failed: false }]);
    assert.deepEqual(open.get('roster'), [{ key: 'r-failed', failed: true }]);
    assert.equal(open.get('posting'), undefined, 'every posting write ended');
    release();
    await held;
  });
});
