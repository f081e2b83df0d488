FROM python:3.11-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY core core
COPY replacements replacements
COPY shopify shopify
COPY web web
COPY worker worker
COPY ops ops
COPY Procfile .
COPY deploy/gunicorn.conf.py deploy/
RUN useradd --create-home app && chown -R app /app
USER app
# 8000: the web process (behind the proxy); 9102: /metrics when METRICS_BIND says so.
EXPOSE 8000 9102
