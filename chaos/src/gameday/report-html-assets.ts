/**
 * The HTML report's inline stylesheet and page script. Inline because the report is one file
 * that must work offline and from an attachment; small because it ships in every report.
 * The script only adds a hover cursor (time from the start) to charts; the page reads fully
 * without it.
 */
import { CHART_GEOMETRY } from './report-svg.js';

export const REPORT_CSS = `
:root{--fg:#1d2330;--muted:#5b6478;--line:#d9dde6;--pass:#1a7f37;--fail:#c62828;--warn:#b26a00;--unk:#6b5bb5;--fault:#ff9800}
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);margin:0 auto;max-width:1000px;padding:16px}
h1{font-size:22px;margin:8px 0}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}h3{font-size:15px;margin:16px 0 6px}
.verdict{display:inline-block;padding:2px 10px;border-radius:4px;color:#fff;font-weight:700;letter-spacing:.5px}
.v-PASS,.s-pass,.s-confirmed,.s-met{background:var(--pass)}.v-FAIL,.s-fail,.s-mismatch,.s-missed{background:var(--fail)}
.v-ABORTED{background:var(--warn)}.v-INCONCLUSIVE,.v-HARNESS_ERROR,.s-unknown,.s-inconclusive,.s-nodata{background:var(--unk)}
.badge{display:inline-block;padding:0 6px;border-radius:3px;color:#fff;font-size:12px;font-weight:600}
table{border-collapse:collapse;width:100%;margin:6px 0 10px;font-size:13px}th,td{border:1px solid var(--line);padding:3px 6px;text-align:left;vertical-align:top}th{background:#f4f6fa}
td.num{text-align:right;font-variant-numeric:tabular-nums}code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12px}
.muted{color:var(--muted)}.witness{border-left:4px solid var(--fail);background:#fff5f5;padding:6px 10px;margin:6px 0}
blockquote{margin:8px 0;padding:4px 12px;border-left:4px solid var(--line);color:var(--muted)}
svg.chart{width:100%;height:auto;display:block;margin:6px 0;background:#fff}
svg .chart-title{font-weight:600;font-size:13px}svg .tick,svg .legend,svg .lane-name,svg .phase-label,svg .reference-label,svg .cursor-label{font-size:11px;fill:var(--muted)}
svg .legend{font-weight:600}svg .grid{stroke:#eef0f4}svg .phase{stroke:#7a8499;stroke-dasharray:4 3}
svg .fault-window{fill:var(--fault);opacity:.16}svg .series{fill:none;stroke-width:1.6}
svg .reference{stroke:#9aa3b5;stroke-dasharray:2 3}svg .alert rect,svg .alert path{fill:var(--fail)}svg .alert-ticket rect,svg .alert-ticket path{fill:var(--warn)}
svg .no-data{font-size:14px;fill:var(--fail)}svg .cursor{stroke:#333;stroke-width:.6}
svg .segment rect{fill:#4f7fd6}svg .segment text{font-size:10px;fill:#fff}svg .tone-alt rect{fill:#7ba3e8}svg .tone-none rect{fill:var(--fail)}svg .tone-fault rect{fill:var(--fault)}
.bar{position:relative;background:#eef0f4;height:14px;border-radius:3px;overflow:hidden;min-width:160px}.bar>span{position:absolute;left:0;top:0;bottom:0;background:var(--warn)}.bar>span.over{background:var(--fail)}
footer{margin-top:30px;color:var(--muted);font-size:12px}
`;

/** Hover cursor: a vertical line with the time since the start, in every chart. */
export const REPORT_JS = `
(function(){
  var g=${JSON.stringify(CHART_GEOMETRY)};
  function clock(ms){var s=Math.round(ms/1000),a=Math.abs(s);return (s<0?'-':'')+Math.floor(a/60)+':'+String(a%60).padStart(2,'0');}
  document.querySelectorAll('svg.chart').forEach(function(svg){
    var line=svg.querySelector('.cursor'),label=svg.querySelector('.cursor-label');
    if(!line||!label)return;
    var from=Number(svg.dataset.from),to=Number(svg.dataset.to),origin=Number(svg.dataset.origin);
    var h=svg.viewBox.baseVal.height;
    svg.addEventListener('mousemove',function(e){
      var r=svg.getBoundingClientRect(),x=(e.clientX-r.left)*g.width/r.width;
      if(x<g.left||x>g.width-g.right){line.setAttribute('x1','-10');line.setAttribute('x2','-10');label.textContent='';return;}
      var t=from+(x-g.left)/(g.width-g.left-g.right)*(to-from);
      line.setAttribute('x1',x);line.setAttribute('x2',x);line.setAttribute('y1',g.top);line.setAttribute('y2',h-g.bottom);
      label.setAttribute('x',x+4);label.setAttribute('y',g.top+22);label.textContent=clock(t-origin);
    });
    svg.addEventListener('mouseleave',function(){line.setAttribute('x1','-10');line.setAttribute('x2','-10');label.textContent='';});
  });
})();
`;
