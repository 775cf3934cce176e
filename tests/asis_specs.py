"""The per-program checks of tests/test_asis.py: how each RESULT key of a program in tests/asis/ is compared
between torch and tracegrad (SPECS), and the programs that do not yet run or agree under tracegrad (XFAIL)."""


def close(rtol=1e-5, atol=1e-6):
    """torch and tracegrad agree (elementwise for lists) within rtol/atol; strings, bools, ints exactly."""
    return ("close", rtol, atol)


def within(lo, hi):
    """each side's value (or every element) lies in [lo, hi]: for results that depend on each engine's RNG."""
    return ("range", lo, hi)


SKIP = ("skip",)
# By design tracegrad's dtypes are NumPy dtypes: str() gives 'float32' where torch gives 'torch.float32'.
DTYPE_NAME = ("dtype",)

# per program: "_default" for keys not listed, else the check of that key. Unlisted programs: close().
SPECS = {
    "polynomial_tensor": {"_default": close(1e-4, 1e-5), "randn_loss": within(0, 3000)},
    "polynomial_autograd": {"_default": close(1e-4, 1e-5)},
    "polynomial_nn": {"_default": close(1e-4, 1e-5)},
    "polynomial_optim": {"_default": close(1e-4, 1e-5)},
    "polynomial_module": {"_default": close(1e-4, 1e-5), "randn_loss": within(0, 3000)},
    "polynomial_custom_function": {"_default": close(1e-4, 1e-6)},
    "blitz_tensors": {"_default": close(), **{k: DTYPE_NAME for k in (
        "dtype", "x_data_dtype", "x_np_dtype", "x_rand_dtype")}},
    "blitz_autograd": {"_default": close()},
    "basics_autograd": {"_default": close()},
    "blitz_neural_networks": {"_default": close(1e-4, 1e-5)},
    # shuffled DataLoader and torch's own init: only sanity ranges
    "blitz_cifar10": {"_default": close(), "first_loss": within(0.5, 3.0), "last_epoch_loss": within(0, 2.0),
                      "accuracy": within(0, 1), "per_class_correct": within(0, 1)},
    "d2l_mlp_scratch": {"_default": close(1e-3, 1e-5), "randn_train_loss": within(0, 1.0),
                        "randn_test_acc": within(0.8, 1.0)},
    "d2l_mlp_concise": {"_default": close(), "init_w_std": within(0.008, 0.012), "train_loss": within(0, 1.0),
                        "train_acc": within(0.7, 1.0), "test_acc": within(0.8, 1.0)},
    "d2l_dropout": {"_default": close(), "drop_fraction": within(0.45, 0.55), "big_mean": within(0.9, 1.1),
                    "scratch_acc": within(0.5, 1.0), "concise_acc": within(0.1, 1.0)},
    "d2l_weight_decay": {"_default": close(), "norm_no_decay": within(5, 20), "norm_decay": within(0, 0.5),
                         "test_no_decay": within(5, 400), "test_decay": within(0, 0.2),
                         "concise_norm_no_decay": within(5, 20), "concise_norm_decay": within(0, 1.0),
                         "concise_test_decay": within(0, 1.0)},
    "wgan_gp": {"_default": close(1e-4, 1e-5)},
    "saving_loading": {"_default": close(1e-4, 1e-6)},
    "optim_param_groups": {"_default": close(1e-4, 1e-6)},
    "lr_schedulers": {"_default": close(1e-5, 1e-7)},
    "dataloader_loop": {"_default": close(1e-5, 1e-4), "label_dtype": SKIP},
    "dcgan_linear": {"_default": close(), "g_w_std": within(0.014, 0.026), "bn_w_mean": within(0.99, 1.01),
                     "G_loss": within(0.3, 1.5), "D_loss": within(0.8, 2.0), "D_x": within(0.2, 0.8),
                     "fake_absmax": within(0, 1)},
    "nn_really_manual": {"_default": close(1e-4, 1e-6), "randn_acc": within(0.7, 1.0)},
    "nn_really_module": {"_default": close(1e-4, 1e-6), "val_loss": within(0, 2.0), "val_acc": within(0.7, 1.0)},
    "nn_really_cnn": {"_default": close(1e-4, 1e-6), "cnn_val_loss": within(0, 3.0), "seq_val_loss": within(0, 3.0)},
    "quickstart": {"_default": close(1e-4, 1e-6)},
    # second batch: idioms the first 24 did not cover
    "tensors_deeper": {"_default": close()},
    "basics_build_model": {"_default": close(1e-4, 1e-6)},
    "datasets_transforms": {"_default": close(1e-5, 1e-5)},
    "dynamic_net": {"_default": close(1e-3, 1e-5)},
    "autograd_mechanics": {"_default": close()},
    "module_containers_init": {"_default": close(1e-4, 1e-6), "xavier_std": within(0.09, 0.115),
                               "kaiming_std": within(0.16, 0.195), "uniform_max": within(0.05, 0.1),
                               "normal_absmax": within(0, 0.12), "kaiming_uniform_absmax": within(0.2, 0.448),
                               "trunc_absmax": within(0, 0.5)},
    "clip_plateau_early_stop": {"_default": close(1e-4, 1e-5)},
    "losses_one_hot": {"_default": close(1e-5, 1e-6)},
    "yunjey_basics": {"_default": close(1e-4, 1e-5)},
    # torch.normal data and random.shuffle order: only sanity ranges
    "d2l_linear_regression": {"_default": close(), "train_losses": within(0, 0.1), "w_err": within(0, 0.01),
                              "b_err": within(0, 0.01), "concise_losses": within(0, 0.01),
                              "w2_err": within(0, 0.01), "b2_err": within(0, 0.01)},
    "d2l_softmax_scratch": {"_default": close(1e-4, 1e-6)},
    "vae_autoencoder": {"_default": close(1e-4, 1e-5), "vae_losses": within(38, 52)},
    "cnn_batchnorm": {"_default": close(1e-4, 1e-5)},
    "extending_autograd": {"_default": close(1e-5, 1e-6)},
    "higher_order_grads": {"_default": close(1e-5, 1e-6)},
    # dropout draws from each engine's RNG: training numbers only in ranges
    "mnist_example": {"_default": close(1e-4, 1e-6), "train_losses": within(1.6, 2.6),
                      "test_losses": within(1.6, 2.5), "final_correct": within(10, 100)},
    "imagenet_accuracy_topk": {"_default": close(1e-4, 1e-5)},
    "logistic_regression_seeding": {"_default": close(1e-4, 1e-6)},
    "text_classification_embeddingbag": {"_default": close(1e-4, 1e-6)},
    "sequence_models_lstm": {"_default": close(1e-4, 1e-6)},
    # third batch: published programs followed as closely as possible (only sizes shrunk, downloads replaced)
    "pytorch_gan_wgan_gp": {"_default": close(1e-4, 1e-5)},
    "wgan_gp_toy": {"_default": close(), "d_costs": within(0.09, 0.101), "w_ds": within(-0.01, 0.01),
                    "g_costs": within(-0.01, 0.01), "gps": within(0.09, 0.101)},
    "wgan_gp_dcgan_critic": {"_default": close(1e-4, 1e-5), "w_std": within(0.012, 0.028),
                             "critic_losses": within(5, 11), "gen_losses": within(-1, 1), "gps": within(0.5, 1.1),
                             "fake_absmax": within(0, 1)},
    "saving_loading_models_tutorial": {"_default": close(1e-4, 1e-6)},
    "optim_docs_closure_lbfgs": {"_default": close(1e-4, 1e-5), "lbfgs_losses": close(1e-3, 1e-4),
                                 "lbfgs_final": close(1e-3, 1e-4), "lbfgs_wolfe_final": close(1e-3, 1e-4)},
    "optim_docs_swa_ema": {"_default": close(1e-4, 1e-5)},
    "optim_docs_lr_schedulers": {"_default": close(1e-6, 1e-9)},
    "recipe_warmstarting": {"_default": close(1e-4, 1e-6)},
    # the tutorials' own torch.randn / torch.rand numbers: losses and accuracies only in sanity ranges
    "lpwe_published_as_is": {"_default": close(), "autograd_loss": within(0, 500), "module_loss": within(0, 500),
                             "dynamic_loss": within(0, 1e6)},
    "lpwe_two_layer_net": {"_default": close(), **{k: within(0, 0.1) for k in (
        "tensor_loss", "custom_function_loss", "nn_loss", "optim_loss", "module_loss")},
        "dynamic_loss": within(0, 50)},
    "blitz_cifar10_exact": {"_default": close(), "printed": within(1.5, 2.6), "accuracy": within(0, 1),
                            "correct_pred_sum": within(0, 40)},
    "blitz_neural_networks_exact": {"_default": close(), "loss_manual": within(0, 5), "loss_step": within(0, 5)},
    "d2l_builders_guide": {"_default": close(1e-5, 1e-6), "init_normal_std": within(0.004, 0.016)},
    "d2l_mlp_modern": {"_default": close(1e-5, 1e-6), "scratch_val_acc": within(0.5, 1),
                       "scratch_train_loss": within(0, 2.3), "concise_val_acc": within(0.5, 1),
                       "product_log10": within(10, 40), "dropout_half_zero_frac": within(0.45, 0.55),
                       "dropout_scratch_acc": within(0.3, 1), "dropout_concise_acc": within(0.3, 1),
                       "wd_scratch_0": within(0, 0.1), "wd_scratch_3": within(0, 0.1),
                       "wd_concise_norm": within(0, 0.1)},
    "custom_function_double_backward": {"_default": close(1e-6, 1e-8)},
}

# programs that do not yet run or agree under tracegrad: the reason is the first error they hit
XFAIL: dict[str, str] = {
    # refused by design: saving a whole Module needs pickle, and loading a pickle runs code; tracegrad's save
    # says to save model.state_dict() instead (the issue asks for this refusal)
    "basics_build_model": "TypeError: save: obj is a module (NeuralNetwork); saving a whole module would need pickle "
                          "(then torch.load(path, weights_only=False) of that whole model)",
}
