"""The one place every PDF of the product gets its watermark (等保 8.1.4.11: who produced a
printout of personal data, and when): 认定书, 反馈函, 澄清正名通知书, 干部任免审批表 (single
and batch), the year-end report. Each producer builds its pages with `watermarked_canvas(text)`
as its ReportLab canvas; the canvas stamps the text (core.xlsx.export_watermark: the user and
the time, as in every Excel sheet's header) in the bottom margin of every page as the page
ends, so no page, including overflow and 续页 pages, can miss it."""
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

WATERMARK_SIZE = 7.5
WATERMARK_GREY = 0.55


def watermarked_canvas(watermark: str):
    """A ReportLab Canvas class (doc.build(canvasmaker=...), or instantiated directly) that
    prints `watermark` at the foot of every page. An empty text is refused: a PDF of this
    product always says who produced it."""
    if not watermark:
        raise ValueError("PDF 必须带水印（导出人和时间）。")

    class WatermarkedCanvas(Canvas):
        def showPage(self):
            from tolerance.documents import _register_font

            width = self._pagesize[0] if self._pagesize else A4[0]
            self.saveState()
            self.setFont(_register_font(), WATERMARK_SIZE)
            self.setFillGray(WATERMARK_GREY)
            self.drawCentredString(width / 2, 5 * 2.83465, watermark)  # 5 mm above the bottom edge
            self.restoreState()
            super().showPage()

    return WatermarkedCanvas
