import assert from 'node:assert/strict';
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { scene } from '../../test/support/images.js';
import { tempDir } from '../../test/support/server.js';
import { runCli } from '../../test/support/process.js';
import { dropTestStore } from '../../test/support/stores.js';
import { keyOf } from './import-folder.js';

function tusou(dataDir: string, ...args: string[]) {
  const res = runCli(dataDir, args);
  return { code: res.status, out: res.stdout, err: res.stderr };
}

describe('tusou CLI', () => {
  let root: string;
  let data: string;
  let outside: string;
  before(async () => {
    root = await tempDir();
    data = await tempDir();
    outside = await tempDir();
    await mkdir(join(root, 'shoe-1'), { recursive: true });
    await mkdir(join(root, 'bag', 'red'), { recursive: true });
    await writeFile(join(root, 'shoe-1', 'front.jpg'), await scene(1));
    await writeFile(join(root, 'shoe-1', 'side.png'), await scene(2, { format: 'png' }));
    await writeFile(join(root, 'bag', 'red', 'a.webp'), await scene(3, { format: 'webp' }));
    await writeFile(join(root, 'loose.jpg'), await scene(4));
    await writeFile(join(root, 'broken.jpg'), Buffer.from('not a picture'));
    await writeFile(join(root, 'notes.txt'), 'ignored');
    // Links out of the folder are not followed: a picture and a whole folder elsewhere.
    await writeFile(join(outside, 'private.jpg'), await scene(5));
    await symlink(join(outside, 'private.jpg'), join(root, 'shoe-1', 'linked.jpg'));
    await symlink(outside, join(root, 'linked-folder'));
  });
  after(async () => {
    await rm(outside, { recursive: true, force: true });
    await rm(root, { recursive: true, force: true });
    await rm(data, { recursive: true, force: true });
    await dropTestStore(data);
  });

  test('keys come from paths', () => {
    assert.deepEqual(keyOf('/r', '/r/shoe-1/front.jpg', 'folder'), { productId: 'shoe-1', picName: 'front.jpg' });
    assert.deepEqual(keyOf('/r', '/r/bag/red/a.webp', 'folder'), { productId: 'bag/red', picName: 'a.webp' });
    assert.deepEqual(keyOf('/r', '/r/loose.jpg', 'folder'), { productId: 'loose', picName: 'loose.jpg' });
    assert.deepEqual(keyOf('/r', '/r/bag/red/a.webp', 'file'), { productId: 'bag/red/a.webp', picName: 'a.webp' });
  });

  test('import adds every picture (symbolic links are not followed), reports the bad one, and resumes without re-adding', () => {
    assert.equal(tusou(data, 'instance', 'create', 'cli').code, 0);
    const first = tusou(data, 'import', 'cli', root, '--report', join(data, 'report.json'));
    assert.equal(first.code, 3, first.err);
    assert.match(first.out, /5 pictures: 4 added, 0 replaced, 0 unchanged, 1 failed/);
    assert.match(first.out, /broken\.jpg: IMAGE_FORMAT_UNSUPPORTED/);
    const again = tusou(data, 'import', 'cli', root);
    assert.match(again.out, /0 added, 0 replaced, 4 unchanged, 1 failed/);
  });

  test('search and export work on the imported pictures; instance list shows the count', async () => {
    const query = join(root, 'q.jpg');
    await writeFile(query, await scene(3));
    const found = tusou(data, 'search', 'cli', query, '--json', '--num', '2');
    assert.equal(found.code, 0, found.err);
    assert.equal(JSON.parse(found.out).hits[0].productId, 'bag/red');
    const exported = tusou(data, 'export', 'cli');
    assert.equal(exported.out.trim().split('\n').length, 4);
    assert.match(tusou(data, 'instance', 'list').out, /cli\tgeneric\t4\/1000000 images/);
  });

  test('errors are one clear line with the code and a non-zero exit', () => {
    const res = tusou(data, 'search', 'cli', join(root, 'broken.jpg'));
    assert.equal(res.code, 2);
    assert.match(res.err, /^tusou: IMAGE_FORMAT_UNSUPPORTED: /);
    assert.match(tusou(data, 'instance', 'delete', 'nope').err, /INSTANCE_NOT_FOUND/);
  });
});
