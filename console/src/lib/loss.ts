/** Loss reasons as the console names them (the API gives `reasonText` on alerts, codes in the overview). */
export const LOSS_REASONS: Record<string, string> = {
  deleted_by_customer: '客户删除员工',
  deleted_by_rep: '员工删除客户',
  transferred: '转给其他员工',
};

export const lossReasonText = (reason: string | null | undefined) => (reason ? (LOSS_REASONS[reason] ?? reason) : '—');
