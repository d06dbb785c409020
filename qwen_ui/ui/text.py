"""Every visible string of the page, in one place, with its Simplified Chinese translation."""

from typing import Any

import gradio as gr

TITLE = "Qwen Edit Studio"
SUBTITLE = "Edit images with **qwen-image-edit-plus**: drop 1–3 images, say what to change, press **Edit**."
SIMULATOR_BANNER = (
    "**Local simulator** — edits are made by a built-in stand-in of the API, not the real model. Set `EVOLINK_API_KEY` for real edits."
)
SLOT_NOTE = (
    "Refer to the images as *Image 1*, *Image 2*, *Image 3* in your prompt. "
    "Order matters: with **Auto** size the output follows the aspect of the **last** image."
)
PROMPT_LABEL = "What to change"
PROMPT_PLACEHOLDER = "e.g. Put the cat from Image 1 on the sofa from Image 2 — press Enter to edit"
NEGATIVE_LABEL = "Negative prompt (what to avoid)"
NEGATIVE_PLACEHOLDER = "low quality, blurry, extra fingers"
N_LABEL = "Number of images (n)"
SIZE_LABEL = "Output size"
SIZE_AUTO = "Auto (follow the last image, ≈1 MP)"
SIZE_CUSTOM = "Custom…"
SIZE_PRESETS = ("1024x1024", "1328x1328", "1024x1536", "1536x1024", "768x1344", "1344x768", "1664x928", "928x1664")
SIZE_SENT_LABEL = "Size sent to the API"
SIZE_ONLY_WITH_ONE = (
    "Size can only be chosen when n = 1 — the API refuses a size with several images. Outputs follow the last image at ≈1 MP."
)
SEED_LABEL = "Seed"
RANDOMIZE_LABEL = "Randomize seed"
PROMPT_EXTEND_LABEL = "Prompt rewriting (prompt_extend)"
PROMPT_EXTEND_INFO = (
    "The provider rewrites your prompt with an LLM: better for short prompts, but the same seed may give different results."
)
WATERMARK_LABEL = "Add “Qwen-Image” watermark"
ADVANCED_LABEL = "Advanced"
CALLBACK_LABEL = "Callback URL (HTTPS; the provider POSTs the finished task here)"
EDIT_BUTTON = "Edit"
CANCEL_BUTTON = "Cancel"
SWAP_12 = "Swap 1 ↔ 2"
SWAP_23 = "Swap 2 ↔ 3"
CLEAR_ALL = "Clear images"
STATUS_LABEL = "Status"
STATUS_IDLE = "Ready."
GALLERY_LABEL = "Results"
ZIP_LABEL = "Download all (ZIP)"
DETAILS_LABEL = "Settings used"
EXAMPLES_LABEL = "Examples"
CANCELLED = "Cancelled. The remote task may still finish and be charged; its result will not be shown."
KEY_LABEL = "Your own EvoLink API key (optional)"
KEY_INFO = "Used for this browser tab only: kept in server memory for this session, never saved, logged or cached."
KEY_USE = "Use my key"
KEY_FORGET = "Forget my key"
KEY_IN_USE = "Your key is in use for this tab (edits go to the real API and are charged to you)."
KEY_FORGOTTEN = "No personal key: edits use the app's own setup."
KEY_INVALID = "That does not look like an API key (no spaces, at most 256 characters); it was not kept."
RESTORE_LABEL = "Restore settings: drop a result PNG made here"
RECIPE_RESTORED = "Settings restored from task `{task}`, image {index} (seed fixed; add the same input images to repeat it)."
RECIPE_MISSING = "That file carries no Qwen Edit Studio recipe; nothing was changed."
RERUN_PLAIN = "Re-run with prompt rewriting off and this seed"
HISTORY_LABEL = "History (this browser only)"
HISTORY_RESTORE = "Restore inputs and settings"
HISTORY_DELETE = "Delete entry"
HISTORY_PICK_FIRST = "Pick an entry in the history first."
HISTORY_RESTORED = "Inputs and settings restored from history."
HISTORY_DELETED = "History entry deleted."
USE_AS = "Use selected result as Image {slot}"
PICK_RESULT_FIRST = "Pick a result image first."
COMPARE_LABEL = "Before / after (last input vs. selected result)"
REATTACH_RUNNING = "Re-attached to task `{task}` started before the reload: {status}…"
REATTACH_DONE = "Task `{task}` (started before the reload) finished: results below and in the history."
REATTACH_GONE = "The task started before the reload is no longer known."


# -- translations of the page's fixed words (labels, buttons, hints); messages stay English ------

ZH: dict[str, str] = {
    "HEADER": "# Qwen 图像编辑工作室\n使用 **qwen-image-edit-plus** 编辑图像：放入 1–3 张图片，写下要修改的内容，然后点击**编辑**。",
    "SIMULATOR_BANNER": "**本地模拟器** —— 编辑由内置的 API 替身完成，并非真实模型。设置 `EVOLINK_API_KEY` 即可进行真实编辑。",
    "SLOT_NOTE": "在提示词中用 *图 1*、*图 2*、*图 3* 指代图片。顺序很重要：尺寸为**自动**时，输出沿用**最后一张**图片的宽高比。",
    "PROMPT_LABEL": "要修改的内容",
    "PROMPT_PLACEHOLDER": "例如：把图 1 中的猫放到图 2 的沙发上 —— 按回车开始编辑",
    "NEGATIVE_LABEL": "负面提示词（不希望出现的内容）",
    "NEGATIVE_PLACEHOLDER": "低质量、模糊、多余的手指",
    "N_LABEL": "生成数量 (n)",
    "SIZE_LABEL": "输出尺寸",
    "SIZE_SENT_LABEL": "发送给 API 的尺寸",
    "SEED_LABEL": "随机种子",
    "RANDOMIZE_LABEL": "随机生成种子",
    "PROMPT_EXTEND_LABEL": "提示词改写 (prompt_extend)",
    "PROMPT_EXTEND_INFO": "服务商会用大模型改写你的提示词：短提示词效果更好，但相同种子的结果可能不同。",
    "WATERMARK_LABEL": "添加 “Qwen-Image” 水印",
    "ADVANCED_LABEL": "高级",
    "CALLBACK_LABEL": "回调地址（HTTPS；任务完成后服务商会 POST 到此地址）",
    "KEY_LABEL": "你自己的 EvoLink API 密钥（可选）",
    "KEY_INFO": "仅用于当前浏览器标签页：只保存在本次会话的服务器内存中，从不写入磁盘、日志或缓存。",
    "KEY_USE": "使用我的密钥",
    "KEY_FORGET": "忘记我的密钥",
    "EDIT_BUTTON": "编辑",
    "CANCEL_BUTTON": "取消",
    "SWAP_12": "交换 1 ↔ 2",
    "SWAP_23": "交换 2 ↔ 3",
    "CLEAR_ALL": "清空图片",
    "STATUS_LABEL": "状态",
    "GALLERY_LABEL": "结果",
    "ZIP_LABEL": "全部下载 (ZIP)",
    "DETAILS_LABEL": "所用设置",
    "EXAMPLES_LABEL": "示例",
    "RESTORE_LABEL": "恢复设置：拖入在此生成的结果 PNG",
    "RERUN_PLAIN": "关闭提示词改写并用此种子重新生成",
    "USE_AS_1": "将所选结果用作图 1",
    "USE_AS_2": "将所选结果用作图 2",
    "USE_AS_3": "将所选结果用作图 3",
    "COMPARE_LABEL": "前后对比（最后一张输入 vs. 所选结果）",
    "HISTORY_LABEL": "历史记录（仅限此浏览器）",
    "HISTORY_RESTORE": "恢复输入和设置",
    "HISTORY_DELETE": "删除记录",
    "SLOT_1": "图 1",
    "SLOT_2": "图 2",
    "SLOT_3": "图 3",
    "WIDTH_LABEL": "宽度 (px)",
    "HEIGHT_LABEL": "高度 (px)",
}
HEADER = f"# {TITLE}\n{SUBTITLE}"
SLOT_1, SLOT_2, SLOT_3 = "Image 1", "Image 2", "Image 3"
WIDTH_LABEL, HEIGHT_LABEL = "Width (px)", "Height (px)"
USE_AS_1, USE_AS_2, USE_AS_3 = (USE_AS.format(slot=i) for i in (1, 2, 3))


def _english() -> dict[str, str]:
    return {key: globals()[key] for key in ZH}


I18N = gr.I18n(en=_english(), zh=ZH, **{"zh-CN": ZH})


def t(key: str) -> Any:
    """A fixed word of the page, shown in the browser's language (English or Simplified Chinese)."""
    return I18N(key)
