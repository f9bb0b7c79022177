#!/usr/bin/env bash
# GPU-machine recipe for the worker path benchmark (issue 12): in-process engine against the worker path, on CUDA
# and on the 16-core CPU. Expects in .gpu/: bench.tar.xz (dotnet publish Portal.Bench -c Release -r linux-x64
# --self-contained; libmsalruntime.so, native/ and wwwroot/ may be left out) and either cudalibs.tar.xz (llama.cpp
# de3ff815 built with CUDA for sm_90, as device-cuda.sh builds it) or llama-src.tar.xz to build them here.
# No dotnet on that machine: the bench starts itself as the worker, and runs with a PATH that holds no dotnet.
set -x
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
G=$(pwd)/.gpu
T0=$(date +%s)
mkdir -p /tmp/bench /tmp/models /tmp/cuda
python3 -c "import tarfile,sys; tarfile.open(sys.argv[1]).extractall(sys.argv[2])" $G/bench.tar.xz /tmp/bench
chmod +x /tmp/bench/Portal.Bench
(/tmp/bench/Portal.Bench --prepare --cache /tmp/models > /tmp/prepare.log 2>&1; echo "prepare exit $?" >> /tmp/prepare.log) &
PREP=$!
if [ -f $G/cudalibs.tar.xz ]; then
  python3 -c "import tarfile,sys; tarfile.open(sys.argv[1]).extractall(sys.argv[2])" $G/cudalibs.tar.xz /tmp/cuda
else
  mkdir -p /tmp/src
  python3 -c "import tarfile,sys; tarfile.open(sys.argv[1]).extractall(sys.argv[2])" $G/llama-src.tar.xz /tmp/src
  cmake -S /tmp/src -B /tmp/build -G Ninja -DCMAKE_BUILD_TYPE=Release -DGGML_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=90 \
    -DGGML_CUDA_FA=OFF -DGGML_CUDA_NCCL=OFF -DGGML_NATIVE=ON -DGGML_BACKEND_DL=OFF -DBUILD_SHARED_LIBS=ON \
    -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=OFF \
    -DLLAMA_BUILD_COMMON=OFF -DLLAMA_BUILD_APP=OFF > /tmp/cmake.log 2>&1 || { tail -30 /tmp/cmake.log; exit 1; }
  ninja -C /tmp/build -j16 > /tmp/ninja.log 2>&1 || { tail -40 /tmp/ninja.log; exit 1; }
  cp -a /tmp/build/bin/*.so* /tmp/cuda/
fi
wait $PREP; cat /tmp/prepare.log
echo "ready at $(( $(date +%s) - T0 )) s"
RUN="env -i PATH=/nonexistent HOME=$HOME LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-} DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 /tmp/bench/Portal.Bench workers --native /tmp/cuda --cache /tmp/models"
echo "=== CUDA, all layers on the GPU"
timeout 150 $RUN --backend cuda --gpu-layers -1 --threads 8 --tokens 128 --concurrency 1,16 2>&1 | grep -v "resolve_fused_ops\|removing memory module" | tee ${OUT:-/tmp}/workers-cuda.log
echo "cuda exit ${PIPESTATUS[0]} at $(( $(date +%s) - T0 )) s"
echo "=== CPU, 8 threads of 16 cores"
timeout 150 $RUN --backend cpu --threads 8 --tokens 64 --concurrency 1,4 2>&1 | tee ${OUT:-/tmp}/workers-cpu.log
echo "cpu exit ${PIPESTATUS[0]} at $(( $(date +%s) - T0 )) s"
