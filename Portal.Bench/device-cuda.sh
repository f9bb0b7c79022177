#!/usr/bin/env bash
# GPU-machine recipe used for the recorded CUDA figures. Expects in .gpu/: llama-src.tar.xz (include, ggml,
# src, vendor, cmake of llama.cpp de3ff815, e.g. from the npm bundle) and bench.tar.xz (dotnet publish
# Portal.Bench -c Release -r linux-x64 --self-contained). Builds llama.cpp with CUDA for sm_90, then runs
# Portal.Bench: consistency check + benchmark on the GPU, and the benchmark on the 16-core CPU.
set -x
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
G=$(pwd)/.gpu
mkdir -p /tmp/src /tmp/bench /tmp/models
python3 -c "import tarfile,sys; tarfile.open(sys.argv[1]).extractall(sys.argv[2])" $G/llama-src.tar.xz /tmp/src
python3 -c "import tarfile,sys; tarfile.open(sys.argv[1]).extractall(sys.argv[2])" $G/bench.tar.xz /tmp/bench
chmod +x /tmp/bench/Portal.Bench
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv
which dotnet nvcc cmake ninja; nvcc --version | tail -2; nproc
(/tmp/bench/Portal.Bench --prepare --cache /tmp/models > /tmp/prepare.log 2>&1; echo "prepare exit $?" >> /tmp/prepare.log) &
PREP=$!
T0=$(date +%s)
cmake -S /tmp/src -B /tmp/build -G Ninja -DCMAKE_BUILD_TYPE=Release -DGGML_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=90 \
  -DGGML_CUDA_FA=${FA:-OFF} -DGGML_CUDA_NCCL=OFF -DGGML_NATIVE=ON -DGGML_BACKEND_DL=OFF -DBUILD_SHARED_LIBS=ON \
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=OFF \
  -DLLAMA_BUILD_COMMON=OFF -DLLAMA_BUILD_APP=OFF > /tmp/cmake.log 2>&1 || { tail -30 /tmp/cmake.log; exit 1; }
ninja -C /tmp/build -j16 > /tmp/ninja.log 2>&1 || { tail -40 /tmp/ninja.log; exit 1; }
echo "build seconds $(( $(date +%s) - T0 ))"
ls -la /tmp/build/bin
wait $PREP; cat /tmp/prepare.log
ls -la /tmp/models
/tmp/bench/Portal.Bench --native /tmp/build/bin --backend cuda --gpu-layers -1 --threads 8 --tokens 128 --cache /tmp/models --check 2>&1 | grep -v "removing memory module\|^warn:\|^fail:"
echo "bench exit $?"
# The same benchmark on this machine's CPU (16 cores), GPU unused (0 layers offloaded).
/tmp/bench/Portal.Bench --native /tmp/build/bin --backend cpu --threads 16 --tokens 64 --cache /tmp/models 2>&1 | grep -v "removing memory module\|^warn:\|^fail:"
echo "cpu bench exit $?"
