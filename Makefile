# 职称咨询助手 — `make run` starts the assistant, `make test` proves it. Both work on a fresh clone.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Rasa 3.6 needs Python 3.10: pyenv's, else a python3.10 on PATH
PY310 ?= $(shell ls -d $$(pyenv root 2>/dev/null)/versions/3.10.*/bin/python3.10 2>/dev/null | sort -V | tail -1)
ifeq ($(PY310),)
PY310 := $(shell command -v python3.10 2>/dev/null)
endif
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
MODEL  := models/zhicheng.tar.gz
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 2
export RASA_TELEMETRY_ENABLED := false

.PHONY: help install deps scale-deps kb dict model retrain run run-scale test unit e2e bench clean

help:
	@echo "make run    安装、导入知识库、（必要时）训练并启动助手"
	@echo "make run-scale  多进程模式：多个 Rasa 进程 + nginx、Redis 锁、PostgreSQL（缺少时安装）"
	@echo "make test   安装、校验数据、训练并运行全部测试"
	@echo "make bench  测量回复延迟、吞吐量和意图 F1"

$(STAMP): pyproject.toml
	@test -n "$(PY310)" || { echo "找不到 Python 3.10（Rasa 3.6 需要）：请用 pyenv 安装 3.10，或设置 PY310=/path/to/python3.10" >&2; exit 1; }
	test -x $(BIN)/python || $(PY310) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(STAMP)

# system packages the tests drive for real (CI runs as root on a fresh machine): nginx, Chromium for
# the widget's browser tests (Playwright drives /usr/bin/chromium; it never downloads a browser) and
# a Chinese font, without which the screenshots show boxes
APT_PKGS := nginx chromium fonts-wqy-microhei
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
deps:
	@missing=""; command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx || missing="$$missing nginx"; \
	test -x /usr/bin/chromium || missing="$$missing chromium"; \
	fc-list :lang=zh 2>/dev/null | grep -q . || missing="$$missing fonts-wqy-microhei"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	  else echo "请先安装：sudo apt-get install -y$$missing" >&2; exit 1; fi; fi

# scale mode: PostgreSQL and Redis on 127.0.0.1 (deploy/scale-deps.sh installs, initialises and
# starts them as root when they are not answering; running ones are left alone)
scale-deps: deps
	deploy/scale-deps.sh

kb: install
	$(BIN)/zhicheng kb load --keep-staff-edits
	$(BIN)/zhicheng status demo --if-demo-db

# the committed files that follow from knowledge/ (bot/kb/generated.py): the jieba dictionary, the FAQ
# intents in domain.yml, data/rules/faq.yml; `model` and `test` fail naming any that is stale
dict: install
	$(BIN)/zhicheng kb dict

# rasa train reuses the model when config, domain and data are unchanged
model: install
	$(BIN)/zhicheng kb dict --check
	$(BIN)/rasa train --fixed-model-name zhicheng --out models

retrain: install
	$(BIN)/rasa train --fixed-model-name zhicheng --out models --force

run: kb model
	$(BIN)/zhicheng run

# DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/zhicheng) is created and loaded if empty
run-scale: scale-deps model
	$(BIN)/zhicheng run --scale

unit: install
	$(BIN)/pytest -m "not e2e"

test: install deps scale-deps
	$(BIN)/zhicheng kb check
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/zhicheng kb dict --check
	$(BIN)/rasa data validate --fail-on-warnings
	$(BIN)/rasa train --fixed-model-name zhicheng --out models
	$(BIN)/pytest
	$(BIN)/rasa test core --model $(MODEL) --stories tests/test_stories.yml --fail-on-prediction-errors --out var/results

bench: kb model scale-deps
	$(BIN)/python bench/bench.py
	$(BIN)/python bench/search.py

clean:
	rm -rf var models results .pytest_cache .mypy_cache
