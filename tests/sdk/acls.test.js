// Access control lists, through the official SDK and with real connections: an ACL's entries
// decide which clients a listener admits (White) or refuses (Black), judged on the client's
// address before any TLS handshake, changed live under load without one failed request from
// an admitted client; ACL and entry statuses as ALB reports them; ALB's error codes; RAM on
// acl/<id>; and the Terraform provider's calls for alicloud_alb_acl,
// alicloud_alb_acl_entry_attachment and alicloud_alb_listener_acl_attachment replayed as it
// makes them.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const http = require('node:http');
const tls = require('node:tls');
const Alb = require('@alicloud/alb20200616');
const { Server, waitFor, rejection, model } = require('./harness');

// One request from `localAddress` (127.0.0.1 or 127.0.0.2, both this machine's loopback):
// its status, or the error that ended it.
function get(port, localAddress, agent = false) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', localAddress, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', (e) => resolve(e.code || e.message));
  });
}

// A TLS handshake from `localAddress`: 'handshake' when it completed, else the error.
function handshake(port, localAddress) {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, localAddress, servername: 'acl.test', rejectUnauthorized: false }, () => {
      socket.destroy();
      resolve('handshake');
    });
    socket.on('error', (e) => resolve(e.code || e.message));
  });
}

async function backend(t) {
  const server = http.createServer((req, res) => { req.resume(); req.on('end', () => res.end('ok')); });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise((r) => server.close(r)));
  return server.address().port;
}

async function aclStatus(alb, aclId) {
  const { body } = await alb.listAcls(model('ListAclsRequest', { AclIds: [aclId] }));
  return body.acls[0]?.aclStatus;
}

async function newAcl(server, alb, name, entries = []) {
  const { body } = await alb.createAcl(model('CreateAclRequest', { AclName: name }));
  await server.waitJob(body.jobId);
  if (entries.length) {
    const { body: added } = await alb.addEntriesToAcl(model('AddEntriesToAclRequest', {
      AclId: body.aclId, AclEntries: entries.map((entry) => ({ Entry: entry, Description: `entry ${entry}` })),
    }));
    await server.waitJob(added.jobId);
  }
  return body.aclId;
}

async function associate(server, alb, listenerId, aclIds, aclType) {
  const { body } = await alb.associateAclsWithListener(model('AssociateAclsWithListenerRequest', { ListenerId: listenerId, AclIds: aclIds, AclType: aclType }));
  await server.waitJob(body.jobId);
}

async function dissociate(server, alb, listenerId, aclIds) {
  const { body } = await alb.dissociateAclsFromListener(model('DissociateAclsFromListenerRequest', { ListenerId: listenerId, AclIds: aclIds }));
  await server.waitJob(body.jobId);
}

test('an ACL is created, filled, shown with ALB\'s statuses, and decides who reaches an HTTP listener, live', async (t) => {
  const server = await Server.start();
  t.after(() => server.stop());
  const alb = server.alb();
  const { listenerId, port } = await server.listener({ protocol: 'HTTP', port: 80, backendPort: await backend(t) });

  const { body: created } = await alb.createAcl(model('CreateAclRequest', { AclName: 'blocked-clients', Tag: [{ Key: 'team', Value: 'edge' }] }));
  assert.match(created.aclId, /^acl-[a-z0-9]{20}$/);
  assert.match(created.jobId, /\S/);
  await server.waitJob(created.jobId);
  const aclId = created.aclId;
  const { body: listed } = await alb.listAcls(model('ListAclsRequest', { AclIds: [aclId] }));
  assert.equal(listed.acls[0].aclName, 'blocked-clients');
  assert.equal(listed.acls[0].aclStatus, 'Available');
  assert.equal(listed.acls[0].addressIPVersion, 'IPv4');
  assert.deepEqual(listed.acls[0].tags.map((x) => [x.key, x.value]), [['team', 'edge']]);

  const { body: added } = await alb.addEntriesToAcl(model('AddEntriesToAclRequest', {
    AclId: aclId, AclEntries: [{ Entry: '127.0.0.2/32', Description: 'the second loopback' }, { Entry: '198.51.100.0/24' }],
  }));
  await server.waitJob(added.jobId);
  const { body: entries } = await alb.listAclEntries(model('ListAclEntriesRequest', { AclId: aclId }));
  assert.deepEqual(entries.aclEntries.map((e) => [e.entry, e.description, e.status]),
    [['127.0.0.2/32', 'the second loopback', 'Available'], ['198.51.100.0/24', '', 'Available']]);
  assert.equal(await aclStatus(alb, aclId), 'Available', 'the ACL is Available with its entries');

  // Before any association both clients get through.
  assert.equal(await get(port, '127.0.0.1'), 200);
  assert.equal(await get(port, '127.0.0.2'), 200);
  const { body: none } = await alb.getListenerAttribute(new Alb.GetListenerAttributeRequest({ listenerId }));
  assert.deepEqual(none.aclConfig.aclRelations, []);

  // A keep-alive connection from 127.0.0.2 opened while it is admitted…
  const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });
  t.after(() => keepAlive.destroy());
  assert.equal(await get(port, '127.0.0.2', keepAlive), 200);

  await associate(server, alb, listenerId, [aclId], 'Black');
  const { body: attribute } = await alb.getListenerAttribute(new Alb.GetListenerAttributeRequest({ listenerId }));
  assert.equal(attribute.aclConfig.aclType, 'Black');
  assert.deepEqual(attribute.aclConfig.aclRelations.map((r) => [r.aclId, r.status]), [[aclId, 'Associated']]);
  assert.equal(attribute.listenerStatus, 'Running');
  assert.equal(await get(port, '127.0.0.1'), 200);
  assert.equal(await get(port, '127.0.0.2'), 'ECONNRESET', 'a listed client is closed on at once');
  // …gets 403 on its next request: the ACL applies to connections already open.
  assert.equal(await get(port, '127.0.0.2', keepAlive), 403);

  const { body: relations } = await alb.listAclRelations(model('ListAclRelationsRequest', { AclIds: [aclId] }));
  assert.deepEqual(relations.aclRelations[0].relatedListeners.map((l) => [l.listenerId, l.listenerProtocol, l.status]),
    [[listenerId, 'HTTP', 'Associated']]);
  const inUse = await rejection(() => alb.deleteAcl(model('DeleteAclRequest', { AclId: aclId })));
  assert.equal(inUse.code, 'ResourceInUse.Acl');
  assert.equal(inUse.statusCode, 400);

  // Removing the entry admits 127.0.0.2 again, once the job has been served.
  const { body: removed } = await alb.removeEntriesFromAcl(model('RemoveEntriesFromAclRequest', { AclId: aclId, Entries: ['127.0.0.2/32'] }));
  await server.waitJob(removed.jobId);
  assert.equal(await get(port, '127.0.0.2'), 200);
  assert.deepEqual((await alb.listAclEntries(model('ListAclEntriesRequest', { AclId: aclId }))).body.aclEntries.map((e) => e.entry), ['198.51.100.0/24']);

  // White: only listed clients. Switching type means dissociating first.
  const whiteId = await newAcl(server, alb, 'loopback-one', ['127.0.0.1']);
  const typeClash = await rejection(() => alb.associateAclsWithListener(model('AssociateAclsWithListenerRequest', {
    ListenerId: listenerId, AclIds: [whiteId], AclType: 'White' })));
  assert.equal(typeClash.code, 'Conflict.AclType');
  await dissociate(server, alb, listenerId, [aclId]);
  await associate(server, alb, listenerId, [whiteId], 'White');
  assert.equal(await get(port, '127.0.0.1'), 200);
  assert.equal(await get(port, '127.0.0.2'), 'ECONNRESET');
  await dissociate(server, alb, listenerId, [whiteId]);
  assert.equal(await get(port, '127.0.0.2'), 200);
  const { body: after } = await alb.getListenerAttribute(new Alb.GetListenerAttributeRequest({ listenerId }));
  assert.deepEqual(after.aclConfig.aclRelations, []);

  // Delete: a job, then the ACL is gone.
  const { body: deleted } = await alb.deleteAcl(model('DeleteAclRequest', { AclId: aclId }));
  await server.waitJob(deleted.jobId);
  const gone = await rejection(() => alb.listAclEntries(model('ListAclEntriesRequest', { AclId: aclId })));
  assert.equal(gone.code, 'ResourceNotFound.Acl');
  assert.equal(gone.statusCode, 404);
});

test('an HTTPS listener refuses a client before its TLS handshake, and admitted clients see no failure while ACLs change under load', async (t) => {
  const server = await Server.start();
  t.after(() => server.stop());
  const alb = server.alb();
  const certificateId = await server.uploadCertificate('acl.test');
  const { listenerId, port } = await server.listener({ protocol: 'HTTPS', port: 443, certificateId });
  const blocked = await newAcl(server, alb, 'second-loopback', ['127.0.0.2/32']);
  const admitted = await newAcl(server, alb, 'first-loopback', ['127.0.0.1/32', '10.0.0.0/8']);

  // Load from 127.0.0.1 all the while: new connections, each a full handshake.
  let stop = false;
  const outcomes = { handshake: 0 };
  const load = Promise.all([0, 1, 2, 3].map(async () => {
    while (!stop) {
      const result = await handshake(port, '127.0.0.1');
      outcomes[result] = (outcomes[result] || 0) + 1;
    }
  }));
  try {
    for (let round = 0; round < 3; round++) {
      await associate(server, alb, listenerId, [blocked], 'Black');
      assert.equal(await handshake(port, '127.0.0.2'), 'ECONNRESET', 'closed before any handshake');
      await dissociate(server, alb, listenerId, [blocked]);
      assert.equal(await handshake(port, '127.0.0.2'), 'handshake');
      await associate(server, alb, listenerId, [admitted], 'White');
      assert.equal(await handshake(port, '127.0.0.2'), 'ECONNRESET');
      // An entry change on an associated ACL applies too.
      const { body: added } = await alb.addEntriesToAcl(model('AddEntriesToAclRequest', { AclId: admitted, AclEntries: [{ Entry: '127.0.0.2' }] }));
      await server.waitJob(added.jobId);
      assert.equal(await handshake(port, '127.0.0.2'), 'handshake');
      const { body: removed } = await alb.removeEntriesFromAcl(model('RemoveEntriesFromAclRequest', { AclId: admitted, Entries: ['127.0.0.2'] }));
      await server.waitJob(removed.jobId);
      assert.equal(await handshake(port, '127.0.0.2'), 'ECONNRESET');
      await dissociate(server, alb, listenerId, [admitted]);
    }
  } finally {
    stop = true;
    await load;
  }
  assert.ok(outcomes.handshake > 50, `handshakes under load: ${JSON.stringify(outcomes)}`);
  assert.deepEqual(Object.keys(outcomes), ['handshake'], `no admitted client failed: ${JSON.stringify(outcomes)}`);
});

test('ACL mistakes get ALB\'s codes, and RAM authorises on acl/<id>', async (t) => {
  const server = await Server.start({ args: ['--job-delay', '1s'] });
  t.after(() => server.stop());
  const alb = server.alb();
  const { listenerId } = await server.listener({ protocol: 'HTTP', port: 80 });
  const failure = async (fn, code, status) => {
    const e = await rejection(fn);
    assert.equal(e.code, code, e.message);
    assert.equal(e.statusCode, status);
    return e;
  };
  await failure(() => alb.createAcl(model('CreateAclRequest', {})), 'MissingAclName', 400);
  const { body: created } = await alb.createAcl(model('CreateAclRequest', { AclName: 'checks' }));
  const aclId = created.aclId;
  assert.equal(await aclStatus(alb, aclId), 'Creating', 'Creating until its job is done');
  await failure(() => alb.addEntriesToAcl(model('AddEntriesToAclRequest', { AclId: aclId, AclEntries: [{ Entry: '10.0.0.0/8' }] })),
    'IncorrectStatus.Acl', 400);
  await server.waitJob(created.jobId);
  const add = (entries) => alb.addEntriesToAcl(model('AddEntriesToAclRequest', { AclId: aclId, AclEntries: entries.map((Entry) => ({ Entry })) }));
  for (const bad of ['10.0.0.0/33', 'example.com', '10.0.0.1/-1']) {
    const e = await failure(() => add([bad]), 'InvalidParameter', 400);
    assert.match(e.message, /CIDR/);
  }
  await failure(() => add(Array.from({ length: 21 }, (_, i) => `10.0.${i}.0/24`)), 'InvalidParameter', 400);
  const { body: first } = await add(['10.0.0.0/8']);
  assert.equal(await aclStatus(alb, aclId), 'Configuring');
  const { body: entries } = await alb.listAclEntries(model('ListAclEntriesRequest', { AclId: aclId }));
  assert.deepEqual(entries.aclEntries.map((e) => e.status), ['Adding']);
  await failure(() => add(['192.0.2.0/24']), 'IncorrectStatus.Acl', 400);
  await server.waitJob(first.jobId);
  await failure(() => add(['10.0.0.0/8']), 'Conflict.AclEntry', 400);
  await failure(() => alb.removeEntriesFromAcl(model('RemoveEntriesFromAclRequest', { AclId: aclId, Entries: ['192.0.2.1'] })),
    'ResourceNotFound.AclEntry', 404);
  await failure(() => alb.listAclEntries(model('ListAclEntriesRequest', { AclId: 'acl-00000000000000000000' })), 'ResourceNotFound.Acl', 404);
  await failure(() => alb.associateAclsWithListener(model('AssociateAclsWithListenerRequest', { ListenerId: listenerId, AclIds: [aclId], AclType: 'Grey' })),
    'InvalidParameter', 400);
  await failure(() => alb.associateAclsWithListener(model('AssociateAclsWithListenerRequest', { ListenerId: listenerId, AclIds: [aclId] })),
    'MissingAclType', 400);
  await failure(() => alb.dissociateAclsFromListener(model('DissociateAclsFromListenerRequest', { ListenerId: listenerId, AclIds: [aclId] })),
    'AssociationNotFound.Acl', 400);
  // At most three per listener.
  const more = [];
  for (const name of ['b', 'c', 'd']) {
    const { body } = await alb.createAcl(model('CreateAclRequest', { AclName: `acl-${name}` }));
    more.push(body);
  }
  for (const body of more) await server.waitJob(body.jobId);
  const { body: three } = await alb.associateAclsWithListener(model('AssociateAclsWithListenerRequest', {
    ListenerId: listenerId, AclIds: [aclId, more[0].aclId, more[1].aclId], AclType: 'Black' }));
  await failure(() => alb.associateAclsWithListener(model('AssociateAclsWithListenerRequest', { ListenerId: listenerId, AclIds: [more[2].aclId], AclType: 'Black' })),
    'ResourceInConfiguring.Listener', 400);
  await server.waitJob(three.jobId);
  await failure(() => alb.associateAclsWithListener(model('AssociateAclsWithListenerRequest', { ListenerId: listenerId, AclIds: [more[2].aclId], AclType: 'Black' })),
    'QuotaExceeded.ListenerAclNum', 400);
  await failure(() => alb.associateAclsWithListener(model('AssociateAclsWithListenerRequest', { ListenerId: listenerId, AclIds: [aclId], AclType: 'Black' })),
    'ResourceAlreadyAssociated.Acl', 400);

  // RAM: a user allowed alb:*Acl* on this ACL alone may change it, not another.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openalb-acl-policy-'));
  const account = server.credentials.AccountId;
  const file = path.join(dir, 'acl.json');
  fs.writeFileSync(file, JSON.stringify({ Version: '1', Statement: [
    { Effect: 'Allow', Action: ['alb:UpdateAclAttribute', 'alb:ListAclEntries'], Resource: `acs:alb:*:${account}:acl/${aclId}` }] }));
  server.cli('users', 'create', 'acl-editor');
  server.cli('policies', 'create', 'acl-editor-policy', '--document', file);
  server.cli('policies', 'attach', '--policy', 'acl-editor-policy', '--user', 'acl-editor');
  const key = Object.fromEntries(server.cli('keys', 'create', '--user', 'acl-editor').trim().split('\n').map((l) => l.split(/:\s+/)));
  const editor = server.alb({ accessKeyId: key.AccessKeyId, accessKeySecret: key.AccessKeySecret });
  await editor.updateAclAttribute(model('UpdateAclAttributeRequest', { AclId: aclId, AclName: 'renamed' }));
  assert.equal((await alb.listAcls(model('ListAclsRequest', { AclIds: [aclId] }))).body.acls[0].aclName, 'renamed');
  const denied = await failure(() => editor.updateAclAttribute(model('UpdateAclAttributeRequest', { AclId: more[0].aclId, AclName: 'x' })),
    'Forbidden.NoPermission', 403);
  assert.match(denied.message, new RegExp(`acl/${more[0].aclId}`));
  await failure(() => editor.createAcl(model('CreateAclRequest', { AclName: 'nope' })), 'Forbidden.NoPermission', 403);
});

test('the Terraform provider\'s calls for an ACL, its entries and its listener attachment apply, read back unchanged and destroy', async (t) => {
  const server = await Server.start();
  t.after(() => server.stop());
  const { listenerId } = await server.listener({ protocol: 'HTTP', port: 80 });
  const waitUntil = (what, check) => waitFor(check, 10000, what);  // the provider polls every 5 s

  // alicloud_alb_acl: create, wait Available through ListAcls without an id filter, tags.
  const created = await server.call('CreateAcl', { AclName: 'tf-acl', ResourceGroupId: 'rg-tf', ClientToken: 'tf-acl-1' });
  const aclId = created.AclId;
  const describe = async () => {
    const all = await server.call('ListAcls', { MaxResults: 100 });
    return JSON.parse(JSON.stringify(all.Acls.find((a) => a.AclId === aclId) || null));
  };
  await waitUntil('the ACL to be Available', async () => (await describe())?.AclStatus === 'Available');
  await server.call('TagResources', { ResourceType: 'acl', 'ResourceId.1': aclId, 'Tag.1.Key': 'Created', 'Tag.1.Value': 'tf' });
  const read = async () => ({
    acl: await describe(),
    entries: JSON.parse(JSON.stringify((await server.call('ListAclEntries', { AclId: aclId, MaxResults: 50 })).AclEntries)),
    tags: (await server.call('ListTagResources', { ResourceType: 'acl', 'ResourceId.1': aclId })).TagResources.map((x) => [x.TagKey, x.TagValue]),
  });
  const first = await read();
  assert.equal(first.acl.AclName, 'tf-acl');
  assert.equal(first.acl.ResourceGroupId, 'rg-tf');
  assert.deepEqual(first.tags, [['Created', 'tf']]);
  assert.deepEqual(await read(), first, 'a second read is the same: an empty plan');

  // alicloud_alb_acl_entry_attachment: id "<acl>:<entry>", waits for the entry and then the ACL.
  const entry = '192.168.10.0/24';
  await server.call('AddEntriesToAcl', { AclId: aclId, 'AclEntries.1.Entry': entry, 'AclEntries.1.Description': 'tf-entry', ClientToken: 'tf-entry-1' });
  const entryOf = async () => (await server.call('ListAclEntries', { AclId: aclId, MaxResults: 50 })).AclEntries.find((e) => e.Entry === entry);
  await waitUntil('the entry to be Available', async () => (await entryOf())?.Status === 'Available');
  assert.equal((await describe()).AclStatus, 'Available', 'the ACL is Available when its entry is');
  assert.equal((await entryOf()).Description, 'tf-entry');

  // alicloud_alb_listener_acl_attachment: waits on AclConfig.AclRelations[0].Status.
  await server.call('AssociateAclsWithListener', { ListenerId: listenerId, 'AclIds.1': aclId, AclType: 'White', ClientToken: 'tf-attach-1' });
  const relation = async () => (await server.call('GetListenerAttribute', { ListenerId: listenerId })).AclConfig;
  await waitUntil('the ACL to be Associated', async () => (await relation()).AclRelations[0]?.Status === 'Associated');
  const attached = JSON.parse(JSON.stringify(await relation()));
  assert.deepEqual(attached, { AclType: 'White', AclRelations: [{ AclId: aclId, Status: 'Associated' }] });
  assert.deepEqual(JSON.parse(JSON.stringify(await relation())), attached, 'read twice, the same');

  // Update the ACL's name (UpdateAclAttribute, then the wait for Available) and resource group.
  await server.call('UpdateAclAttribute', { AclId: aclId, AclName: 'tf-acl-2' });
  await waitUntil('the ACL to be Available', async () => (await describe())?.AclStatus === 'Available');
  await server.call('MoveResourceGroup', { ResourceId: aclId, ResourceType: 'acl', NewResourceGroupId: 'rg-tf-2' });
  const updated = await describe();
  assert.equal(updated.AclName, 'tf-acl-2');
  assert.equal(updated.ResourceGroupId, 'rg-tf-2');

  // Destroy in dependency order: attachment, entry, ACL.
  await server.call('DissociateAclsFromListener', { ListenerId: listenerId, 'AclIds.1': aclId, ClientToken: 'tf-detach-1' });
  await waitUntil('the relation to be gone', async () => (await relation()).AclRelations.length === 0);
  await server.call('RemoveEntriesFromAcl', { AclId: aclId, 'Entries.1': entry, RegionId: 'cn-hangzhou', ClientToken: 'tf-entry-del' });
  await waitUntil('the entry to be gone', async () => (await entryOf()) === undefined);
  await waitUntil('the ACL to be Available', async () => (await describe())?.AclStatus === 'Available');
  // The provider retries ResourceInUse.Acl and IncorrectStatus.Acl; neither happens now.
  await server.call('DeleteAcl', { AclId: aclId, ClientToken: 'tf-acl-del' });
  await waitUntil('the ACL to be gone', async () => (await describe()) === null);
  assert.equal((await rejection(() => server.call('DeleteAcl', { AclId: aclId }))).data.Code, 'ResourceNotFound.Acl');
});
