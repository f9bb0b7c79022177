using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class WorkersApiInvitesProfiles : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_UsageDailyRollups_TenantId_Day_UserId_ModelEntryId_WorkspaceKey",
                table: "UsageDailyRollups");

            migrationBuilder.AddColumn<int>(
                name: "CredentialsVersion",
                table: "Users",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "Node",
                table: "UsageDailyRollups",
                type: "TEXT",
                maxLength: 100,
                nullable: false,
                defaultValue: "local");

            migrationBuilder.AddColumn<string>(
                name: "EndpointBaseUrl",
                table: "ModelEntries",
                type: "TEXT",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "EndpointContextSize",
                table: "ModelEntries",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "EndpointMaxOutputTokens",
                table: "ModelEntries",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "EndpointParallelRequests",
                table: "ModelEntries",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "EndpointProtectedApiKey",
                table: "ModelEntries",
                type: "TEXT",
                maxLength: 4000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "EndpointRemoteModel",
                table: "ModelEntries",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Kind",
                table: "ModelEntries",
                type: "TEXT",
                maxLength: 16,
                nullable: false,
                defaultValue: "GgufFile");

            migrationBuilder.CreateTable(
                name: "ApiKeys",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    TenantId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    KeyId = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    SecretHash = table.Column<byte[]>(type: "BLOB", maxLength: 32, nullable: false),
                    UserId = table.Column<Guid>(type: "TEXT", nullable: true),
                    ExpiresAt = table.Column<long>(type: "INTEGER", nullable: true),
                    AllowedModelIds = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedByUserId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    LastUsedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    RevokedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    RevokedByUserId = table.Column<Guid>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ApiKeys", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ApiKeys_Tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "Tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_ApiKeys_Users_CreatedByUserId",
                        column: x => x.CreatedByUserId,
                        principalTable: "Users",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_ApiKeys_Users_UserId",
                        column: x => x.UserId,
                        principalTable: "Users",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "HardwareProfiles",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    IsDefault = table.Column<bool>(type: "INTEGER", nullable: false),
                    HardwarePrice = table.Column<decimal>(type: "TEXT", precision: 18, scale: 6, nullable: false),
                    LifetimeYears = table.Column<decimal>(type: "TEXT", precision: 18, scale: 6, nullable: false),
                    PowerWatts = table.Column<decimal>(type: "TEXT", precision: 18, scale: 6, nullable: false),
                    ElectricityPricePerKwh = table.Column<decimal>(type: "TEXT", precision: 18, scale: 6, nullable: false),
                    Utilisation = table.Column<decimal>(type: "TEXT", precision: 18, scale: 6, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_HardwareProfiles", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Invitations",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    TenantId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Email = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    Roles = table.Column<int>(type: "INTEGER", nullable: false),
                    DisplayName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    InvitedByUserId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ExpiresAt = table.Column<long>(type: "INTEGER", nullable: false),
                    SecretHash = table.Column<byte[]>(type: "BLOB", maxLength: 32, nullable: false),
                    SecretUsedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    AcceptedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    DeclinedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    RevokedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Invitations", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Invitations_Tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "Tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "NodeKeys",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    KeyHash = table.Column<string>(type: "TEXT", fixedLength: true, maxLength: 64, nullable: false),
                    Prefix = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    CreatedByUserId = table.Column<Guid>(type: "TEXT", nullable: true),
                    RevokedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    LastSeenAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_NodeKeys", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "PasswordResets",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    UserId = table.Column<Guid>(type: "TEXT", nullable: false),
                    TenantId = table.Column<Guid>(type: "TEXT", nullable: false),
                    IssuedByUserId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ExpiresAt = table.Column<long>(type: "INTEGER", nullable: false),
                    SecretHash = table.Column<byte[]>(type: "BLOB", maxLength: 32, nullable: false),
                    UsedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PasswordResets", x => x.Id);
                    table.ForeignKey(
                        name: "FK_PasswordResets_Users_UserId",
                        column: x => x.UserId,
                        principalTable: "Users",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "UsageSpeedRollups",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    TenantId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Day = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    ModelEntryId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Measure = table.Column<int>(type: "INTEGER", nullable: false),
                    Bucket = table.Column<int>(type: "INTEGER", nullable: false),
                    Answers = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UsageSpeedRollups", x => x.Id);
                    table.ForeignKey(
                        name: "FK_UsageSpeedRollups_Tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "Tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "NodeHardwareProfiles",
                columns: table => new
                {
                    Node = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    HardwareProfileId = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_NodeHardwareProfiles", x => x.Node);
                    table.ForeignKey(
                        name: "FK_NodeHardwareProfiles_HardwareProfiles_HardwareProfileId",
                        column: x => x.HardwareProfileId,
                        principalTable: "HardwareProfiles",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_UsageDailyRollups_TenantId_Day_UserId_ModelEntryId_WorkspaceKey_Node",
                table: "UsageDailyRollups",
                columns: new[] { "TenantId", "Day", "UserId", "ModelEntryId", "WorkspaceKey", "Node" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ApiKeys_CreatedByUserId",
                table: "ApiKeys",
                column: "CreatedByUserId");

            migrationBuilder.CreateIndex(
                name: "IX_ApiKeys_KeyId",
                table: "ApiKeys",
                column: "KeyId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ApiKeys_TenantId_CreatedAt",
                table: "ApiKeys",
                columns: new[] { "TenantId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_ApiKeys_UserId",
                table: "ApiKeys",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_HardwareProfiles_Name",
                table: "HardwareProfiles",
                column: "Name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Invitations_Email",
                table: "Invitations",
                column: "Email");

            migrationBuilder.CreateIndex(
                name: "IX_Invitations_TenantId_Email",
                table: "Invitations",
                columns: new[] { "TenantId", "Email" });

            migrationBuilder.CreateIndex(
                name: "IX_NodeHardwareProfiles_HardwareProfileId",
                table: "NodeHardwareProfiles",
                column: "HardwareProfileId");

            migrationBuilder.CreateIndex(
                name: "IX_NodeKeys_KeyHash",
                table: "NodeKeys",
                column: "KeyHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_PasswordResets_UserId",
                table: "PasswordResets",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_UsageSpeedRollups_TenantId_Day_ModelEntryId_Measure_Bucket",
                table: "UsageSpeedRollups",
                columns: new[] { "TenantId", "Day", "ModelEntryId", "Measure", "Bucket" },
                unique: true);

            // Data step (keep when regenerating): the one CostSettings row becomes the default hardware profile
            // before its columns are dropped. See Portal.Data/Migrations/HardwareProfilesDataStep.cs.
            migrationBuilder.Sql(Portal.Data.Migrations.HardwareProfilesDataStep.CopyCostSettingsIntoDefaultProfile(migrationBuilder.ActiveProvider));

            migrationBuilder.DropColumn(
                name: "ElectricityPricePerKwh",
                table: "CostSettings");

            migrationBuilder.DropColumn(
                name: "HardwarePrice",
                table: "CostSettings");

            migrationBuilder.DropColumn(
                name: "LifetimeYears",
                table: "CostSettings");

            migrationBuilder.DropColumn(
                name: "PowerWatts",
                table: "CostSettings");

            migrationBuilder.DropColumn(
                name: "Utilisation",
                table: "CostSettings");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ApiKeys");

            migrationBuilder.DropTable(
                name: "Invitations");

            migrationBuilder.DropTable(
                name: "NodeHardwareProfiles");

            migrationBuilder.DropTable(
                name: "NodeKeys");

            migrationBuilder.DropTable(
                name: "PasswordResets");

            migrationBuilder.DropTable(
                name: "UsageSpeedRollups");

            migrationBuilder.DropTable(
                name: "HardwareProfiles");

            migrationBuilder.DropIndex(
                name: "IX_UsageDailyRollups_TenantId_Day_UserId_ModelEntryId_WorkspaceKey_Node",
                table: "UsageDailyRollups");

            migrationBuilder.DropColumn(
                name: "CredentialsVersion",
                table: "Users");

            migrationBuilder.DropColumn(
                name: "Node",
                table: "UsageDailyRollups");

            migrationBuilder.DropColumn(
                name: "EndpointBaseUrl",
                table: "ModelEntries");

            migrationBuilder.DropColumn(
                name: "EndpointContextSize",
                table: "ModelEntries");

            migrationBuilder.DropColumn(
                name: "EndpointMaxOutputTokens",
                table: "ModelEntries");

            migrationBuilder.DropColumn(
                name: "EndpointParallelRequests",
                table: "ModelEntries");

            migrationBuilder.DropColumn(
                name: "EndpointProtectedApiKey",
                table: "ModelEntries");

            migrationBuilder.DropColumn(
                name: "EndpointRemoteModel",
                table: "ModelEntries");

            migrationBuilder.DropColumn(
                name: "Kind",
                table: "ModelEntries");

            migrationBuilder.AddColumn<decimal>(
                name: "ElectricityPricePerKwh",
                table: "CostSettings",
                type: "TEXT",
                precision: 18,
                scale: 6,
                nullable: false,
                defaultValue: 0m);

            migrationBuilder.AddColumn<decimal>(
                name: "HardwarePrice",
                table: "CostSettings",
                type: "TEXT",
                precision: 18,
                scale: 6,
                nullable: false,
                defaultValue: 0m);

            migrationBuilder.AddColumn<decimal>(
                name: "LifetimeYears",
                table: "CostSettings",
                type: "TEXT",
                precision: 18,
                scale: 6,
                nullable: false,
                defaultValue: 0m);

            migrationBuilder.AddColumn<decimal>(
                name: "PowerWatts",
                table: "CostSettings",
                type: "TEXT",
                precision: 18,
                scale: 6,
                nullable: false,
                defaultValue: 0m);

            migrationBuilder.AddColumn<decimal>(
                name: "Utilisation",
                table: "CostSettings",
                type: "TEXT",
                precision: 18,
                scale: 6,
                nullable: false,
                defaultValue: 0m);

            migrationBuilder.CreateIndex(
                name: "IX_UsageDailyRollups_TenantId_Day_UserId_ModelEntryId_WorkspaceKey",
                table: "UsageDailyRollups",
                columns: new[] { "TenantId", "Day", "UserId", "ModelEntryId", "WorkspaceKey" },
                unique: true);
        }
    }
}
