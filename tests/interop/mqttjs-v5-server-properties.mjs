// MQTT 5 server properties as MQTT.js (npm "mqtt") sees them over mutual TLS: a service that leaves
// its client id to the server (Assigned Client Identifier) and asks for a longer keep-alive than the
// server allows (Server Keep Alive), sending commands to a device that announced a Topic Alias Maximum.
// Prints one JSON object with what each side saw, for the test.
// Usage: node mqttjs-v5-server-properties.mjs HOST PORT CA DEVICE_CERT DEVICE_KEY DEVICE_ID SERVICE_CERT SERVICE_KEY COUNT
import { readFileSync } from 'node:fs';
import mqtt from 'mqtt';

const [host, port, ca, deviceCert, deviceKey, deviceId, serviceCert, serviceKey, count] = process.argv.slice(2);
const result = { received: [] };
const done = (extra) => { Object.assign(result, extra); console.log(JSON.stringify(result)); process.exit(0); };
setTimeout(() => done({ error: 'timeout' }), 20000);

const tls = (cert, key) => ({
  protocol: 'mqtts', host, port: Number(port), protocolVersion: 5, reconnectPeriod: 0,
  ca: readFileSync(ca), cert: readFileSync(cert), key: readFileSync(key), servername: 'localhost', rejectUnauthorized: true,
});

const device = await mqtt.connectAsync({ ...tls(deviceCert, deviceKey), clientId: deviceId, clean: true, properties: { topicAliasMaximum: 5 } });
const topic = `devices/${deviceId}/commands/reboot`;
device.on('message', (t, payload, packet) => {
  result.received.push({ topic: t, alias: packet.properties?.topicAlias ?? null, payload: String(payload) });
  if (result.received.length === Number(count)) {
    Promise.all([device.endAsync(), service.endAsync()]).then(() => done({}));
  }
});
await device.subscribeAsync(`devices/${deviceId}/commands/#`, { qos: 1 });

const service = mqtt.connect({ ...tls(serviceCert, serviceKey), clientId: '', clean: true, keepalive: 120 });
service.on('error', (error) => done({ error: String(error.message ?? error), code: error.code }));
service.on('connect', async (connack) => {
  result.serviceConnack = connack.reasonCode ?? 0;
  result.assignedClientIdentifier = connack.properties?.assignedClientIdentifier ?? null;
  result.serverKeepAlive = connack.properties?.serverKeepAlive ?? null;
  for (let i = 0; i < Number(count); i++) {
    await service.publishAsync(topic, `command ${i}`, { qos: 1 });
  }
});
