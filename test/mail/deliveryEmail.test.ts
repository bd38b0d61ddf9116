import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DIALECTS } from '../helpers/databases.js';
import { Workspace, type RunningLanyard } from '../helpers/lanyard.js';
import { freePort } from '../helpers/ports.js';
import { TestSmtpServer } from '../helpers/smtp.js';
import { addPeople, District, fixturePeople, PASSWORD, PHOTOS, sftpQuote } from '../photos/harness.js';

for (const dialect of DIALECTS) {
  describe(`a finished delivery is e-mailed to the district's contacts (${dialect})`, () => {
    let ws: Workspace;
    let server: RunningLanyard;
    let smtp: TestSmtpServer | undefined;
    let smtpPort: number;

    before(async () => {
      ws = await Workspace.create(dialect);
      await ws.district('springfield', PASSWORD);
      await ws.district('shelbyville', PASSWORD);
      await addPeople(ws, 'springfield', fixturePeople(['100199']));
      smtpPort = await freePort();
      // Nothing listens on the SMTP port yet: the first attempts fail and are retried.
      server = await ws.start(['--smtp-url', `smtp://127.0.0.1:${smtpPort}`, '--mail-from', 'Lanyard <lanyard@test.example>']);
    });
    after(async () => {
      await server?.stop();
      await smtp?.stop();
      await ws?.dispose();
    });

    test('contacts are added and removed with the CLI; a wrong address is refused with what to give', async () => {
      const bad = await ws.cli(['district', 'contacts', 'springfield', '--add', 'it office at springfield']);
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /is not an e-mail address: give one address, like/);
      assert.equal((await ws.cli(['district', 'contacts', 'springfield', '--add', 'it-office@springfield.k12.us'])).code, 0);
      assert.equal((await ws.cli(['district', 'contacts', 'springfield', '--add', 'nurse@springfield.k12.us'])).code, 0);
      const again = await ws.cli(['district', 'contacts', 'springfield', '--add', 'IT-Office@springfield.k12.us']);
      assert.notEqual(again.code, 0);
      assert.match(again.stderr, /already hears of this district's deliveries/);
      assert.equal((await ws.cli(['district', 'contacts', 'springfield', '--remove', 'nurse@springfield.k12.us'])).code, 0);
      assert.deepEqual(await ws.cliJson(['district', 'contacts', 'springfield', '--json']), { contacts: ['it-office@springfield.k12.us'] });
      const shown = await ws.cli(['district', 'contacts', 'shelbyville']);
      assert.match(shown.stdout, /Nobody is e-mailed when a delivery to shelbyville finishes/);
    });

    test('the report arrives once the SMTP server is reachable: counts in the subject, every file not linked in the text', async () => {
      const district = new District(server, 'springfield', await ws.token('springfield'));
      await district.sftp([
        `put ${sftpQuote(path.join(PHOTOS, 'valid/004410.jpg'))} idphotos/004410.jpg`,
        `put ${sftpQuote(path.join(PHOTOS, 'unmatched/100199.jpg'))} idphotos/100199.jpg`,
        `put ${sftpQuote(path.join(PHOTOS, 'reject/100112.jpg'))} idphotos/100112.jpg`,
      ]);
      // Another district's delivery, whose district has no contacts, is nobody's e-mail.
      await new District(server, 'shelbyville', await ws.token('shelbyville')).sftp([`put ${sftpQuote(path.join(PHOTOS, 'valid/004411.jpg'))} idphotos/004411.jpg`]);

      smtp = await TestSmtpServer.start(smtpPort);
      const mail = await smtp.waitFor(/^springfield schools: delivery \d+ finished/i);
      assert.match(mail.headers.get('subject') ?? '', /delivery \d+ finished, 1 linked, 1 unmatched, 1 rejected, 0 flagged$/);
      assert.equal(mail.headers.get('to'), 'it-office@springfield.k12.us');
      assert.match(mail.headers.get('from') ?? '', /lanyard@test\.example/);
      assert.match(mail.body, /A delivery to springfield schools \(springfield\) has finished/);
      assert.match(mail.body, /over SFTP by springfield/);
      assert.match(mail.body, /100199\.jpg \(Local ID 100199\): unmatched, /);
      assert.match(mail.body, /100112\.jpg \(Local ID 100112\): rejected, /);
      assert.doesNotMatch(mail.body, /004410\.jpg/, 'a linked photo is only counted');

      // Sent once, however many rounds pass; nothing for the district without contacts.
      await new Promise((r) => setTimeout(r, 2500));
      const all = await smtp.messages();
      assert.equal(all.length, 1, all.map((m) => m.headers.get('subject')).join('\n'));
    });
  });
}
