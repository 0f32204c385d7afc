import { PDFDocument, StandardFonts } from 'pdf-lib';
import sharp from 'sharp';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { startTestApp, useTestApp } from '../helpers/test-app.js';
import { signUp } from '../helpers/users.js';

/** Everything about files attached to messages (issue 18), through the HTTP API on a real database. */
const ctx = useTestApp({ env: { VISION_MODELS: 'test-model', OPENAI_MODELS: 'test-model,text-only-model' } });

const png = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: { r: 200, g: 30, b: 90 } } })
    .png()
    .toBuffer();

async function pdfSaying(...pages: string[]): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (const text of pages) doc.addPage().drawText(text, { x: 50, y: 700, font, size: 12 });
  return Buffer.from(await doc.save());
}

type Agent = Awaited<ReturnType<typeof signUp>>['agent'];
const upload = (agent: Agent, bytes: Buffer, name: string) => agent.post('/api/uploads').attach('file', bytes, name);
const newChat = async (agent: Agent, body: object = {}) => (await agent.post('/api/chats').send(body).expect(201)).body.chat.id as string;

/** The parts of the last message the fake model was sent. */
function lastAsked(): { text: string; images: string[] } {
  const content = ctx.fake.completions().at(-1)!.body.messages!.at(-1)!.content as unknown;
  if (typeof content === 'string') return { text: content, images: [] };
  const parts = content as { type: string; text?: string; image_url?: { url: string } }[];
  return {
    text: parts.find((p) => p.type === 'text')?.text ?? '',
    images: parts.filter((p) => p.type === 'image_url').map((p) => p.image_url!.url),
  };
}

describe('POST /api/uploads', () => {
  it('types a file by its bytes, never by its name: a PNG named .txt is an image, HTML named .png is refused', async () => {
    const { agent } = await signUp(ctx.t.app);
    const image = await upload(agent, await png(40, 30), 'holiday.txt');
    expect(image.status).toBe(201);
    expect(image.body.attachment).toEqual({
      id: expect.any(String),
      name: 'holiday.txt',
      mimeType: 'image/png',
      size: expect.any(Number),
      kind: 'image',
    });

    for (const [bytes, name] of [
      ['<!DOCTYPE html><html><script>alert(1)</script></html>', 'cat.png'],
      ['<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', 'logo.svg'],
      ['<?xml version="1.0"?><note/>', 'note.txt'],
    ] as const) {
      const res = await upload(agent, Buffer.from(bytes), name);
      expect(res.status, name).toBe(415);
      expect(res.body.error.code).toBe('unsupported_file_type');
    }
    const zip = Buffer.from([0x50, 0x4b, 0x03, 0x04, ...Buffer.alloc(60)]);
    expect((await upload(agent, zip, 'notes.txt')).status).toBe(415);
    const binary = Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80, 0x81]);
    expect((await upload(agent, binary, 'data.csv')).status).toBe(415);
  });

  it('takes documents: text, Markdown, CSV, JSON, code and PDF', async () => {
    const { agent } = await signUp(ctx.t.app);
    const cases: [string | Buffer, string, string][] = [
      ['plain words', 'a.txt', 'text/plain'],
      ['# Title\n\nbody', 'b.md', 'text/markdown'],
      ['a,b\n1,2\n', 'c.csv', 'text/csv'],
      ['{"a": [1, 2]}', 'd.txt', 'application/json'],
      ['export const x = 1;\n', 'e.ts', 'text/plain'],
      [await pdfSaying('hello'), 'f.bin', 'application/pdf'],
    ];
    for (const [bytes, name, mimeType] of cases) {
      const res = await upload(agent, Buffer.from(bytes), name);
      expect(res.status, name).toBe(201);
      expect(res.body.attachment).toMatchObject({ name, mimeType, kind: 'document' });
    }
    expect((await upload(agent, Buffer.alloc(0), 'empty.txt')).body.error.code).toBe('file_empty');
  });

  it('needs a login, one part named "file", and the same origin', async () => {
    expect((await request(ctx.t.app).post('/api/uploads').attach('file', Buffer.from('x'), 'x.txt')).status).toBe(401);
    const { agent } = await signUp(ctx.t.app);
    const wrongField = await agent.post('/api/uploads').attach('document', Buffer.from('x'), 'x.txt');
    expect(wrongField.status).toBe(400);
    expect(wrongField.body.error.code).toBe('file_required');
    const crossSite = await agent.post('/api/uploads').set('Sec-Fetch-Site', 'cross-site').attach('file', Buffer.from('x'), 'x.txt');
    expect(crossSite.status).toBe(403);
    const foreign = await agent.post('/api/uploads').set('Origin', 'https://evil.example').attach('file', Buffer.from('x'), 'x.txt');
    expect(foreign.status).toBe(403);
  });
});

describe('GET and DELETE /api/attachments/:id', () => {
  it('serves the bytes to the owner only, typed as sniffed, never rendered as a page', async () => {
    const owner = await signUp(ctx.t.app);
    const bytes = await png(10, 10);
    const id = (await upload(owner.agent, bytes, 'dot.png')).body.attachment.id as string;
    const res = await owner.agent.get(`/api/attachments/${id}`).buffer(true);
    expect(res.status).toBe(200);
    expect(Buffer.compare(res.body as Buffer, bytes)).toBe(0);
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBe('sandbox');
    expect(res.headers['content-disposition']).toMatch(/^inline; filename="dot.png"/);

    const doc = (await upload(owner.agent, Buffer.from('secret plans'), 'plans.txt')).body.attachment.id as string;
    const download = await owner.agent.get(`/api/attachments/${doc}`);
    expect(download.headers['content-disposition']).toMatch(/^attachment; filename="plans.txt"/);
    expect(download.headers['content-type']).toBe('text/plain; charset=utf-8');

    const other = await signUp(ctx.t.app);
    expect((await other.agent.get(`/api/attachments/${id}`)).status).toBe(404);
    expect((await other.agent.delete(`/api/attachments/${id}`)).status).toBe(404);
    expect((await request(ctx.t.app).get(`/api/attachments/${id}`)).status).toBe(401);

    expect((await owner.agent.delete(`/api/attachments/${id}`)).status).toBe(204);
    expect((await owner.agent.get(`/api/attachments/${id}`)).status).toBe(404);
  });
});

describe('sending files', () => {
  it('sends images as image_url parts, scaled down to 2048 px, and lists them on the stored message', async () => {
    const { agent } = await signUp(ctx.t.app);
    const big = (await upload(agent, await png(3000, 1000), 'wide.png')).body.attachment;
    const small = (await upload(agent, await png(20, 20), 'small.png')).body.attachment;
    const chat = await newChat(agent);
    const res = await agent.post(`/api/chats/${chat}/message`).send({ content: 'What is in these?', attachments: [big.id, small.id] });
    expect(res.status).toBe(201);
    expect(res.body.userMessage.attachments).toEqual([big, small]);

    const asked = lastAsked();
    expect(asked.text).toBe('What is in these?');
    expect(asked.images).toHaveLength(2);
    const [wide, tiny] = asked.images.map((url) => Buffer.from(url.replace(/^data:image\/png;base64,/, ''), 'base64'));
    expect(await sharp(wide).metadata()).toMatchObject({ width: 2048, height: 683 });
    expect(await sharp(tiny).metadata()).toMatchObject({ width: 20, height: 20 });

    const opened = await agent.get(`/api/chats/${chat}`).expect(200);
    expect(opened.body.messages[0].attachments).toEqual([big, small]);
    expect(opened.body.messages[1].attachments).toEqual([]);
    // The image stays in the conversation: the next turn still shows it to the model.
    await agent.post(`/api/chats/${chat}/message`).send({ content: 'And now?' }).expect(201);
    const history = ctx.fake.completions().at(-1)!.body.messages!;
    expect(Array.isArray(history[0]!.content)).toBe(true);
  });

  it('refuses an image for a model that cannot see (400 model_cannot_see_images) and keeps nothing', async () => {
    const { agent } = await signUp(ctx.t.app);
    const image = (await upload(agent, await png(8, 8), 'x.png')).body.attachment.id as string;
    const chat = await newChat(agent, { model: 'text-only-model' });
    const before = ctx.fake.completions().length;
    const res = await agent.post(`/api/chats/${chat}/message`).send({ content: 'see?', attachments: [image] });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('model_cannot_see_images');
    expect(ctx.fake.completions().length).toBe(before);
    expect((await agent.get(`/api/chats/${chat}`)).body.messages).toEqual([]);
    expect((await agent.delete(`/api/attachments/${image}`)).status).toBe(204); // still unsent
  });

  it('sends documents as labelled text blocks (PDF text extracted at upload)', async () => {
    const { agent } = await signUp(ctx.t.app);
    const pdf = (await upload(agent, await pdfSaying('Revenue grew 12 percent.', 'Costs fell.'), 'report.pdf')).body.attachment;
    const notes = (await upload(agent, Buffer.from('The launch is on Thursday.'), 'notes.md')).body.attachment;
    const chat = await newChat(agent, { model: 'text-only-model' });
    await agent
      .post(`/api/chats/${chat}/message`)
      .send({ content: 'Summarise.', attachments: [pdf.id, notes.id] })
      .expect(201);
    const { text, images } = lastAsked();
    expect(images).toEqual([]);
    expect(text.startsWith('Summarise.')).toBe(true);
    expect(text).toContain(
      '[Attached document: report.pdf]\n[Page 1]\nRevenue grew 12 percent.\n\n[Page 2]\nCosts fell.\n[End of document: report.pdf]',
    );
    expect(text).toContain('[Attached document: notes.md]\nThe launch is on Thursday.\n[End of document: notes.md]');
  });

  it('cuts a document too long for the window, with a visible note, instead of failing', async () => {
    const small = await startSmallWindowApp();
    try {
      const { agent } = await signUp(small.app);
      const long = Array.from({ length: 3000 }, (_, i) => `Line ${i} of a very long appendix.`).join('\n');
      const doc = (await agent.post('/api/uploads').attach('file', Buffer.from(long), 'appendix.txt')).body.attachment.id as string;
      const chat = (await agent.post('/api/chats').send({}).expect(201)).body.chat.id as string;
      const res = await agent.post(`/api/chats/${chat}/message`).send({ content: 'Read it.', attachments: [doc] });
      expect(res.status).toBe(201);
      const { text } = lastAsked();
      expect(text).toMatch(
        /\[Note: "appendix.txt" is too long for this model's context window: only its first [\d,]+ of [\d,]+ characters are included\.\]/,
      );
      expect(text.length).toBeLessThan(long.length);
    } finally {
      await small.close();
    }
  });

  it('checks the list: at most 10, the user’s own, each sent once', async () => {
    const owner = await signUp(ctx.t.app);
    const other = await signUp(ctx.t.app);
    const chat = await newChat(owner.agent);
    const eleven = Array.from({ length: 11 }, () => crypto.randomUUID());
    expect((await owner.agent.post(`/api/chats/${chat}/message`).send({ content: 'x', attachments: eleven })).status).toBe(400);

    const theirs = (await upload(other.agent, Buffer.from('not yours'), 'theirs.txt')).body.attachment.id as string;
    const foreign = await owner.agent.post(`/api/chats/${chat}/message`).send({ content: 'x', attachments: [theirs] });
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe('attachment_not_found');

    // A new chat whose first message is refused so is not left behind empty.
    const before = (await owner.agent.get('/api/chats')).body.chats.length as number;
    const created = await owner.agent.post('/api/chats').send({ message: 'x', attachments: [theirs] });
    expect(created.status).toBe(404);
    expect((await owner.agent.get('/api/chats')).body.chats).toHaveLength(before);

    const mine = (await upload(owner.agent, Buffer.from('mine'), 'mine.txt')).body.attachment.id as string;
    await owner.agent
      .post(`/api/chats/${chat}/message`)
      .send({ content: 'first', attachments: [mine] })
      .expect(201);
    const again = await owner.agent.post(`/api/chats/${chat}/message`).send({ content: 'again', attachments: [mine] });
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe('attachment_already_sent');
    const remove = await owner.agent.delete(`/api/attachments/${mine}`);
    expect(remove.status).toBe(409);
    expect(remove.body.error.code).toBe('attachment_already_sent');
  });
});

describe('limits and lifetime', () => {
  it('UPLOAD_MAX_MB: 413 file_too_large; USER_STORAGE_MB: 413 storage_quota_exceeded, identical bytes counted once', async () => {
    const capped = await startCappedApp();
    try {
      const { agent } = await signUp(capped.app);
      const tooBig = await agent.post('/api/uploads').attach('file', Buffer.alloc(1024 * 1024 + 1, 'a'), 'big.txt');
      expect(tooBig.status).toBe(413);
      expect(tooBig.body.error.code).toBe('file_too_large');
      const first = Buffer.alloc(700 * 1024, 'b');
      expect((await agent.post('/api/uploads').attach('file', first, 'one.txt')).status).toBe(201);
      expect((await agent.post('/api/uploads').attach('file', first, 'same-again.txt')).status).toBe(201);
      const over = await agent.post('/api/uploads').attach('file', Buffer.alloc(700 * 1024, 'c'), 'two.txt');
      expect(over.status).toBe(413);
      expect(over.body.error.code).toBe('storage_quota_exceeded');
    } finally {
      await capped.close();
    }
  });

  it('goes with its message, its chat and its account; unsent uploads go after a day', async () => {
    const { agent, user } = await signUp(ctx.t.app);
    const blobs = async () =>
      Number((await ctx.t.db.query<{ n: string }>('SELECT count(*) AS n FROM attachment_blobs WHERE user_id = $1', [user.id])).rows[0]!.n);
    const sent = (await upload(agent, Buffer.from('in a chat'), 'a.txt')).body.attachment.id as string;
    const chat = await newChat(agent);
    await agent
      .post(`/api/chats/${chat}/message`)
      .send({ content: 'keep', attachments: [sent] })
      .expect(201);
    const unsent = (await upload(agent, Buffer.from('never sent'), 'b.txt')).body.attachment.id as string;
    expect(await blobs()).toBe(2);

    await agent.delete(`/api/chats/${chat}`).expect(204);
    expect((await agent.get(`/api/attachments/${sent}`)).status).toBe(404);
    expect(await blobs()).toBe(1);

    await ctx.t.db.query(`UPDATE attachments SET created_at = now() - interval '25 hours' WHERE id = $1`, [unsent]);
    expect(await ctx.t.attachments.sweepUnsent()).toBe(1);
    expect((await agent.get(`/api/attachments/${unsent}`)).status).toBe(404);
    expect(await blobs()).toBe(0);

    await upload(agent, Buffer.from('until I leave'), 'c.txt');
    await agent.delete('/api/auth/me').send({ password: 'plum-voyage-42-quietly' }).expect(204);
    expect(await blobs()).toBe(0);
  });
});

describe('exports, imports and shares', () => {
  it('exports files with ?files=true and an import restores them (new ids, checked as uploads)', async () => {
    const from = await signUp(ctx.t.app);
    const bytes = await png(12, 12);
    const image = (await upload(from.agent, bytes, 'pic.png')).body.attachment;
    const chat = await newChat(from.agent);
    await from.agent
      .post(`/api/chats/${chat}/message`)
      .send({ content: 'look', attachments: [image.id] })
      .expect(201);

    const plain = (await from.agent.get('/api/export')).body;
    expect(plain.chats[0].messages[0].attachments).toEqual([image]);
    const withFiles = (await from.agent.get('/api/export?files=true')).body;
    expect(withFiles.chats[0].messages[0].attachments[0].data).toBe(bytes.toString('base64'));

    const to = await signUp(ctx.t.app);
    const imported = await to.agent.post('/api/import').send(withFiles);
    expect(imported.status).toBe(201);
    expect(imported.body.imported.attachments).toBe(1);
    const opened = (await to.agent.get(`/api/chats/${imported.body.chatIds[0]}`)).body;
    const restored = opened.messages[0].attachments[0];
    expect(restored).toMatchObject({ name: 'pic.png', mimeType: 'image/png', kind: 'image', size: bytes.length });
    expect(restored.id).not.toBe(image.id);
    expect(Buffer.compare((await to.agent.get(`/api/attachments/${restored.id}`).buffer(true)).body as Buffer, bytes)).toBe(0);
  });

  it('a shared chat lists its files and serves them under its token only', async () => {
    const { agent } = await signUp(ctx.t.app);
    const doc = (await upload(agent, Buffer.from('shared notes'), 'shared.txt')).body.attachment;
    const unshared = (await upload(agent, Buffer.from('private'), 'private.txt')).body.attachment.id as string;
    const chat = await newChat(agent);
    await agent
      .post(`/api/chats/${chat}/message`)
      .send({ content: 'see file', attachments: [doc.id] })
      .expect(201);
    const { token } = (await agent.post(`/api/chats/${chat}/share`).expect(201)).body;

    const anonymous = request(ctx.t.app);
    const shared = (await anonymous.get(`/api/shared/${token}`).expect(200)).body;
    expect(shared.messages[0].attachments).toEqual([doc]);
    const file = await anonymous.get(`/api/shared/${token}/attachments/${doc.id}`);
    expect(file.status).toBe(200);
    expect(file.text).toBe('shared notes');
    expect(file.headers['content-security-policy']).toBe('sandbox');
    expect((await anonymous.get(`/api/shared/${token}/attachments/${unshared}`)).status).toBe(404);

    await agent.delete(`/api/chats/${chat}/share`).expect(204);
    expect((await anonymous.get(`/api/shared/${token}/attachments/${doc.id}`)).status).toBe(404);
  });
});

// Apps with other limits, on their own databases (sharing the fake model).
async function startSmallWindowApp() {
  return startTestApp({ fake: ctx.fake, env: { DEFAULT_CONTEXT_TOKENS: '2000', REPLY_RESERVE_TOKENS: '200' } });
}
async function startCappedApp() {
  return startTestApp({ fake: ctx.fake, env: { UPLOAD_MAX_MB: '1', USER_STORAGE_MB: '1' } });
}
