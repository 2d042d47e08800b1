// uPlot is loaded as a classic script from /vendor/uplot.js (served from node_modules, no CDN).
import type UPlot from 'uplot/dist/uPlot';

declare global {
  interface Window {
    uPlot: typeof UPlot;
  }
}
