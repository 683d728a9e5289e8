/** Network code shared by inference and training (DJL with the PyTorch engine). */
package io.scanstream.model;
