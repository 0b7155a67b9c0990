// Draws the app's two Teams icons: a key in a speech bubble. Run once; the PNGs are committed.
//   node --import tsx manifest/drawIcons.ts
import { writeFileSync } from 'node:fs';
import { encodePng, type Image } from './png.js';

type Paint = (x: number, y: number) => [number, number, number, number] | undefined;

/** Anti-aliased by 4×4 supersampling; `paint` works in a 0..1 square. */
function draw(size: number, background: [number, number, number, number], paint: Paint): Image {
  const pixels = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const sum = [0, 0, 0, 0];
      for (let sy = 0; sy < 4; sy++) {
        for (let sx = 0; sx < 4; sx++) {
          const colour = paint((x + (sx + 0.5) / 4) / size, (y + (sy + 0.5) / 4) / size) ?? background;
          for (let c = 0; c < 4; c++) sum[c]! += colour[c]!;
        }
      }
      for (let c = 0; c < 4; c++) pixels[(y * size + x) * 4 + c] = Math.round(sum[c]! / 16);
    }
  }
  return { width: size, height: size, pixels };
}

const inCircle = (x: number, y: number, cx: number, cy: number, r: number) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
const inRect = (x: number, y: number, x0: number, y0: number, x1: number, y1: number) =>
  x >= x0 && x <= x1 && y >= y0 && y <= y1;

/** The key: a ring with a hole, a shaft and two teeth. */
function isKey(x: number, y: number, scale = 1): boolean {
  const sx = 0.5 + (x - 0.5) / scale;
  const sy = 0.5 + (y - 0.5) / scale;
  const ring = inCircle(sx, sy, 0.36, 0.46, 0.14) && !inCircle(sx, sy, 0.36, 0.46, 0.06);
  const shaft = inRect(sx, sy, 0.46, 0.425, 0.78, 0.495);
  const teeth = inRect(sx, sy, 0.64, 0.495, 0.69, 0.58) || inRect(sx, sy, 0.72, 0.495, 0.77, 0.56);
  return ring || shaft || teeth;
}

/** A rounded speech bubble with a tail at the bottom left. */
function isBubble(x: number, y: number): boolean {
  const body = inRect(x, y, 0.12, 0.18, 0.88, 0.74) && !cornerOutside(x, y, 0.12, 0.18, 0.88, 0.74, 0.14);
  const tail = y >= 0.7 && y <= 0.88 && x >= 0.24 && x <= 0.24 + (0.88 - y) * 0.9;
  return body || tail;
}

function cornerOutside(x: number, y: number, x0: number, y0: number, x1: number, y1: number, r: number): boolean {
  const cx = x < x0 + r ? x0 + r : x > x1 - r ? x1 - r : x;
  const cy = y < y0 + r ? y0 + r : y > y1 - r ? y1 - r : y;
  return (x - cx) ** 2 + (y - cy) ** 2 > r * r;
}

const RED: [number, number, number, number] = [229, 9, 20, 255];
const WHITE: [number, number, number, number] = [255, 255, 255, 255];
const CLEAR: [number, number, number, number] = [255, 255, 255, 0];

// Colour icon: white bubble and red key on the brand red, full bleed as Teams asks.
const color = draw(192, RED, (x, y) => (isKey(x, y) ? RED : isBubble(x, y) ? WHITE : undefined));
// Outline icon: white on transparent, the key cut out of the bubble.
const outline = draw(32, CLEAR, (x, y) => (isKey(x, y) ? CLEAR : isBubble(x, y) ? WHITE : undefined));

writeFileSync(new URL('./color.png', import.meta.url), encodePng(color));
writeFileSync(new URL('./outline.png', import.meta.url), encodePng(outline));
