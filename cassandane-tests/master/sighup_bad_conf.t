#!/usr/bin/perl
# sighup_bad_conf.t - a SIGHUP with a broken cyrus.conf does not take the
# server down: master logs the error (file:line) and keeps serving with
# the configuration it had; a later SIGHUP with a fixed file applies it.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::Instance;
use Murder::Util qw(wait_for);

skip_unless_built(qw(master testsvc));

my $i = Murder::Instance->new(name => 'hupbad', services => [
    { name => 'svc', cmd => 'testsvc', prefork => 1 },
]);
$i->start;
my $master = $i->pid;
my $good = $i->cyrus_conf_text;
my $bad = $good;
$bad =~ s/(\n  svc .*prefork=)1/${1}lots/ or die "cannot break the config";
my @lines = split(/\n/, $bad);
my ($line) = grep { $lines[$_ - 1] =~ /prefork=lots/ } 1 .. @lines;
$i->set_cyrus_conf_text($bad);
$i->hup;
ok($i->wait_for_log(qr/\Q@{[$i->cyrus_conf]}\E:$line\b.*prefork/, 10),
   "the reload error names cyrus.conf:$line and the key")
    or diag($i->log_tail(20));
ok(kill(0, $master) && !$i->master_gone, 'master still runs');
my $c = $i->line_client('svc');
like($c->banner, qr/service=svc/, 'the service still answers');
$c->cmd('QUIT');

# Fixed file, second service: applied by the next SIGHUP.
$i->set_cyrus_conf_text(undef);
my $new = $i->add_service(name => 'more', cmd => 'testsvc', prefork => 1);
$i->hup;
ok(wait_for(sub { Murder::Instance::is_listening($i->address, $new->{port}) }, 10),
   'a later SIGHUP with a good file applies it');
my $m = $i->line_client('more');
like($m->banner, qr/service=more/, 'the new service answers');
$m->cmd('QUIT');
$i->stop;
done_testing;
