/**
 * Eastmoney bodies (pages and the body API alike) open with a quote chart between
 * `<!-- EM_StockImg_Start -->` and `<!-- EM_StockImg_End -->`: a live K-line image of the
 * stock the article names, not part of the article.
 */
const STOCK_CHART = /<!--\s*EM_StockImg_Start\s*-->[\s\S]*?<!--\s*EM_StockImg_End\s*-->/g;

/** The HTML without its quote-chart blocks (an unclosed block is left as it is). */
export function dropStockCharts(html: string): string {
  return html.includes('EM_StockImg_Start') ? html.replace(STOCK_CHART, '') : html;
}
