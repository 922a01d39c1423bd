/**
 * The learned filters' picture at a size its labels can be read: it is drawn with a 5x7 pixel font
 * (viz/font.ts), which shrunk to the page's width is a grey smear. So it is shown at whole
 * magnifications (each picture pixel 1 or 2 CSS pixels, crisp), scrolling sideways when wider
 * than the page, with "fit" for the overview. It opens at 2x when that fits the page, else at 1x.
 */

/** Magnifications offered; null is "fit to the page's width". */
const ZOOMS: (number | null)[] = [null, 1, 2];

export function setUpFilters(section: HTMLElement): void {
  const img = section.querySelector('img')!;
  const bar = document.createElement('div');
  bar.className = 'zoom';
  bar.append('size: ');
  const buttons = ZOOMS.map((z) => {
    const b = document.createElement('button');
    b.textContent = z === null ? 'fit' : `${z}×`;
    b.addEventListener('click', () => apply(z));
    bar.append(b, ' ');
    return b;
  });
  section.insertBefore(bar, img.parentElement);
  const apply = (z: number | null) => {
    buttons.forEach((b, i) => b.setAttribute('aria-pressed', String(ZOOMS[i] === z)));
    section.dataset.zoom = z === null ? 'fit' : String(z);
    img.style.width = z === null || !img.naturalWidth ? '' : `${img.naturalWidth * z}px`;
    img.classList.toggle('fit', z === null);
  };
  const start = () => apply(2 * img.naturalWidth <= (img.parentElement?.clientWidth ?? 0) ? 2 : 1);
  if (img.complete) start();
  else img.addEventListener('load', start, { once: true });
}
