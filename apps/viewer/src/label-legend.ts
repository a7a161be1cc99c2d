import type { LabelSet } from './label-sets.js';

/** The legend: each class's colour, name, voxel count and volume in mL (background left out). */
export function renderLegend(table: HTMLTableElement, labels: LabelSet, classVoxels: readonly number[], volumesMl: readonly number[]): void {
  const rows = labels.names.slice(1).map((name, k) => {
    const c = k + 1;
    const [r, g, b] = labels.colours[c]!;
    const row = document.createElement('tr');
    row.dataset.class = String(c);
    const swatch = document.createElement('td');
    swatch.className = 'swatch';
    swatch.style.background = `rgb(${r} ${g} ${b})`;
    const label = document.createElement('td');
    label.textContent = name;
    const voxels = document.createElement('td');
    voxels.className = 'number';
    voxels.textContent = (classVoxels[c] ?? 0).toLocaleString('en');
    const ml = document.createElement('td');
    ml.className = 'number';
    ml.dataset.ml = String(volumesMl[c] ?? 0);
    ml.textContent = `${(volumesMl[c] ?? 0).toFixed(1)} mL`;
    row.append(swatch, label, voxels, ml);
    return row;
  });
  const head = document.createElement('tr');
  for (const text of ['', labels.dataset, 'voxels', 'volume']) {
    const th = document.createElement('th');
    th.textContent = text;
    head.append(th);
  }
  table.replaceChildren(head, ...rows);
  table.hidden = false;
}
