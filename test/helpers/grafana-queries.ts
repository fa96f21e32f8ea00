/** The PromQL of every panel target in a Grafana dashboard JSON (rows' nested panels included). */
export interface PanelQuery {
  panel: string;
  expr: string;
}

interface PanelJson {
  title?: string;
  targets?: { expr?: string }[];
  panels?: PanelJson[];
}

export function dashboardQueries(json: string): PanelQuery[] {
  const walk = (panels: PanelJson[]): PanelQuery[] =>
    panels.flatMap((panel) => [
      ...(panel.targets ?? []).flatMap((t) => (t.expr ? [{ panel: panel.title ?? '', expr: t.expr }] : [])),
      ...walk(panel.panels ?? []),
    ]);
  return walk((JSON.parse(json) as { panels: PanelJson[] }).panels);
}
