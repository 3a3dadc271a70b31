// A device built on MQTT.js (npm "mqtt"), as a device maker would write it: mutual TLS with its own
// key and certificate, MQTT 5. Prints one JSON object with what the broker answered, for the test.
// Usage: node mqttjs-device.mjs HOST PORT CA CERT KEY CLIENT_ID OTHER_DEVICE_ID
import { readFileSync } from 'node:fs';
import mqtt from 'mqtt';

const [host, port, ca, cert, key, clientId, other] = process.argv.slice(2);
const result = {};
const done = (extra) => { Object.assign(result, extra); console.log(JSON.stringify(result)); process.exit(0); };
setTimeout(() => done({ error: 'timeout' }), 15000);

const client = mqtt.connect({
  protocol: 'mqtts', host, port: Number(port), protocolVersion: 5, clientId, clean: true, reconnectPeriod: 0,
  ca: readFileSync(ca), cert: readFileSync(cert), key: readFileSync(key), servername: 'localhost', rejectUnauthorized: true,
});
client.on('error', (error) => done({ error: String(error.message ?? error), code: error.code }));
client.on('connect', async (connack) => {
  result.connack = connack.reasonCode ?? 0;
  const own = `devices/${clientId}/commands/#`;
  const foreign = `devices/${other}/commands/#`;
  // MQTT.js rejects a SUBACK holding any failure code; the packet still carries every code.
  try { result.suback = (await client.subscribeAsync([own, foreign], { qos: 1 })).map((g) => g.qos); }
  catch (error) { result.suback = error.packet?.granted ?? String(error); }
  client.on('message', (topic, payload) => { result.echo = `${topic} ${payload}`; });
  try { await client.publishAsync(`devices/${clientId}/telemetry/js`, 'hello', { qos: 1 }); result.ownPuback = 0; }
  catch (error) { result.ownPuback = error.code ?? String(error); }
  try { await client.publishAsync(`devices/${other}/telemetry/js`, 'intrude', { qos: 1 }); result.foreignPuback = 0; }
  catch (error) { result.foreignPuback = error.code ?? String(error); }
  await client.endAsync();
  done({});
});
