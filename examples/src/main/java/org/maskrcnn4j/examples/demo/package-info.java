/** The {@code maskrcnn demo} pipeline: shapes data, training, evaluation and pictures. */
package org.maskrcnn4j.examples.demo;
