// echarts on demand: the core, the two chart types and the components the dashboards draw, the canvas renderer.
// Imported only by the chart components, so it is in the dashboards' lazy chunks, never in the first load.
import { use } from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

use([LineChart, BarChart, GridComponent, TooltipComponent, LegendComponent, CanvasRenderer]);

/** The console's series colours (new, lost, net, total …). */
export const COLORS = ['#2f6bff', '#f05b5b', '#16a34a', '#f59e0b', '#8b5cf6', '#0ea5e9', '#64748b'];
