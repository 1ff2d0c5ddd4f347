{
  "targets": [
    {
      "target_name": "pemn_native",
      "sources": ["addon.cc", "args.cc", "tensor_table.cc", "ops_tensor.cc", "ops_math.cc", "ops_nn.cc", "ops_runtime.cc", "process_group.cc"],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<!@(node ../scripts/find-libtorch.mjs include)"
      ],
      "libraries": ["<!@(node ../scripts/find-libtorch.mjs link)"],
      "defines": ["NAPI_CPP_EXCEPTIONS", "NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_DEPRECATED", "<!@(node ../scripts/find-libtorch.mjs defines)"],
      "defines!": ["_GLIBCXX_USE_CXX11_ABI=1"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17", "-std=gnu++20"],
      "cflags_cc": ["<!@(node ../scripts/find-libtorch.mjs cflags)", "-fexceptions", "-frtti", "-O3", "-fopenmp", "-Wno-unused-parameter", "-Wno-deprecated-declarations"],
      "ldflags": ["-fopenmp"]
    }
  ]
}
