import { chromium } from 'playwright-core';
const [url, out] = process.argv.slice(2);
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const p = await b.newPage({ viewport: { width: 1100, height: 1000 } });
await p.goto('file://' + url);
const h = await p.evaluate(() => document.body.scrollHeight);
for (let y = 0, i = 0; y < h; y += 1000, i++) await p.screenshot({ path: `${out}-${i}.png`, clip: { x: 0, y, width: 1100, height: Math.min(1000, h - y) }, fullPage: true });
console.log(h);
await b.close();
