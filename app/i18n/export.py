"""UI text of the download buttons (app/export_ui.py) and of the lesson packs built on /lessons."""

TEXT = {
    "export_download": {"en": "Download", "zh": "下载"},
    "export_png_projector": {"en": "PNG · projector (1920×1080)", "zh": "PNG · 投影（1920×1080）"},
    "export_png_print": {"en": "PNG · print (300 dpi)", "zh": "PNG · 打印（300 dpi）"},
    "export_svg": {"en": "SVG · vector (papers)", "zh": "SVG · 矢量图（论文）"},
    "export_pdf": {"en": "PDF · vector", "zh": "PDF · 矢量"},
    "export_html": {"en": "HTML · interactive, offline", "zh": "HTML · 可交互、离线"},
    "export_html_help": {
        "en": "One file that opens in any browser without internet (about 5 MB: it carries plotly.js).",
        "zh": "单个文件，无需联网即可在任何浏览器中打开（约 5 MB：内含 plotly.js）。",
    },
    "export_no_browser": {
        "en": "Image export needs Chromium on the server (apt-get install chromium). HTML works without it.",
        "zh": "图片导出需要服务器上安装 Chromium（apt-get install chromium）。HTML 导出不需要。",
    },
    "export_trace": {"en": "Data", "zh": "数据"},
    "export_trace_help": {
        "en": "Everything captured for this sentence: tokens, attention, hidden states. "
        "Load it again with bertviz_core.export.load_trace.",
        "zh": "本句捕获的全部内容：词元、注意力、隐藏状态。可用 bertviz_core.export.load_trace 重新载入。",
    },
    "export_npz": {"en": "NPZ (numpy)", "zh": "NPZ（numpy）"},
    "export_json": {"en": "JSON", "zh": "JSON"},
    "export_json_too_long": {
        "en": "JSON is for short inputs: {n} tokens > {max}. Use NPZ.",
        "zh": "JSON 仅适用于短输入：{n} 个词元 > {max}。请使用 NPZ。",
    },
    "export_csv": {"en": "CSV", "zh": "CSV"},
    # lesson packs (pages/lessons.py)
    "export_pack": {"en": "Offline lesson pack", "zh": "离线课程包"},
    "export_pack_help": {
        "en": "Every figure of this lesson, interactive, with its explanation, in one HTML file that "
        "opens from a USB stick without Python or internet.",
        "zh": "本课的全部图表（可交互）及讲解，打包为一个 HTML 文件，可从 U 盘打开，无需 Python 或网络。",
    },
    "export_pack_prepare": {"en": "Prepare offline pack", "zh": "生成离线课程包"},
    "export_pack_building": {"en": "Building the lesson pack…", "zh": "正在生成课程包……"},
    "export_pack_ready": {"en": "Download pack · {size} · charts: {n}", "zh": "下载课程包 · {size} · 图表：{n}"},
    "export_pack_all": {"en": "All lessons in one offline file", "zh": "全部课程合成一个离线文件"},
    "export_pack_failed": {"en": "Could not build the pack: {reason}", "zh": "无法生成课程包：{reason}"},
    "export_pack_meta": {
        "en": "BERT Inside lesson pack · {date} · opens offline; hover a chart to see its values.",
        "zh": "BERT Inside 课程包 · {date} · 可离线打开；将鼠标悬停在图表上查看数值。",
    },
    "export_pack_all_title": {"en": "BERT Inside: all lessons", "zh": "BERT 内部透视：全部课程"},
}
