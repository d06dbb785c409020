# Qwen Edit Studio — production image (also usable as a Hugging Face Docker Space).
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    GRADIO_SERVER_NAME=0.0.0.0 \
    GRADIO_SERVER_PORT=7860 \
    GRADIO_ANALYTICS_ENABLED=False \
    HF_HUB_DISABLE_TELEMETRY=1 \
    GRADIO_SSR_MODE=False \
    GRADIO_RUN_HISTORY=False \
    GRADIO_TEMP_DIR=/tmp/gradio \
    QWEN_UI_DATA_DIR=/data

# UID 1000, as Hugging Face Docker Spaces require.
RUN useradd --create-home --uid 1000 user && mkdir -p /data /tmp/gradio && chown user:user /data /tmp/gradio

WORKDIR /app
# Dependencies first: this layer is cached until requirements change.
COPY requirements.txt requirements-s3.txt ./
RUN pip install -r requirements.txt -r requirements-s3.txt

COPY --chown=user:user app.py ./
COPY --chown=user:user qwen_ui ./qwen_ui
COPY --chown=user:user examples ./examples

USER user
EXPOSE 7860
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD python -c "import urllib.request,os; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"GRADIO_SERVER_PORT\"]}/', timeout=4)"
CMD ["python", "app.py"]
